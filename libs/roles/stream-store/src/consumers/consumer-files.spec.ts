import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsumerConfig } from './consumer-config.js';
import { ConsumerFiles } from './consumer-files.js';
import type { ConsumerState } from './consumer.js';

const CONFIG = { deliver_policy: 'all', ack_policy: 'explicit', replay_policy: 'instant', num_replicas: 0 } as ConsumerConfig;

function state(sseq: number): ConsumerState {
  return { sseq, dseq: sseq, ackFloor: [sseq - 1, sseq - 1], pending: [], redelivered: [] };
}

describe('ConsumerFiles', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function files(): { files: ConsumerFiles; dir: string } {
    const dir = mkdtempSync(join(tmpdir(), 'consumer-files-'));
    dirs.push(dir);
    return { files: new ConsumerFiles(dir), dir };
  }

  it('reads back the newest state written, after many writes in place', () => {
    const { files: f, dir } = files();
    f.writeMeta('C', CONFIG, '2026-12-02T00:00:00Z');
    for (let i = 1; i <= 50; i++) f.writeState('C', state(i));
    f.closeState('C');
    expect(new ConsumerFiles(dir).readAll().consumers[0]?.state).toEqual(state(50));
  });

  it('falls back to the other slot when the newest was torn by a crash, and carries on numbering', () => {
    const { files: f, dir } = files();
    f.writeMeta('C', CONFIG, '2026-12-02T00:00:00Z');
    f.writeState('C', state(1));
    f.writeState('C', state(2));
    f.closeState('C');
    // Generation 2 went to state.0: cut it short.
    const torn = join(dir, 'obs', 'C', 'state.0');
    writeFileSync(torn, readFileSync(torn).subarray(0, 12));
    expect(new ConsumerFiles(dir).readAll().consumers[0]?.state).toEqual(state(1));
    // A garbage slot is passed over as well.
    appendFileSync(join(dir, 'obs', 'C', 'state.1'), 'x');
    expect(new ConsumerFiles(dir).readAll().consumers[0]?.state).toBeUndefined();
    const again = new ConsumerFiles(dir);
    again.writeState('C', state(3));
    again.closeState('C');
    expect(new ConsumerFiles(dir).readAll().consumers[0]?.state).toEqual(state(3));
  });
});
