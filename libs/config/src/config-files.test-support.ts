import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ConfigError } from './errors.js';
import { loadConfigFile } from './load.js';

/** Config files for a spec, written to a fresh temp dir, and what loading one refuses. */
export class ConfigFiles {
  readonly dir: string;
  private count = 0;

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  /** Writes `text` to a new file; its path. */
  write(text: string): string {
    const path = join(this.dir, `c${++this.count}.conf`);
    writeFileSync(path, text);
    return path;
  }

  /** The errors loading `text` gives, each with the file's path shown as `F`; fails if it loads. */
  errorsOf(text: string): string[] {
    const path = this.write(text);
    try {
      loadConfigFile(path, {});
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as ConfigError).errors.map((e) => e.split(path).join('F'));
    }
    throw new Error(`expected errors for ${JSON.stringify(text)}`);
  }
}
