/** Where a configuration value was written. Lines and columns count from 1. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export function formatPos(pos: SourcePos): string {
  return `${pos.file}:${pos.line}:${pos.col}`;
}

/**
 * A configuration that cannot be used. `errors` lists every problem found (each one names
 * `file:line:col` when it comes from a file); the message is all of them, one per line.
 */
export class ConfigError extends Error {
  readonly errors: string[];

  constructor(errors: string[]) {
    super(errors.join('\n'));
    this.name = 'ConfigError';
    this.errors = errors;
  }

  static at(pos: SourcePos, message: string): ConfigError {
    return new ConfigError([`${formatPos(pos)}: ${message}`]);
  }
}
