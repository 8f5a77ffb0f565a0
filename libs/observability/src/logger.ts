import { closeSync, openSync, writeSync } from 'node:fs';
import { wallClockMs } from './clock.js';

export interface LoggerOptions {
  /** Log DBG lines. */
  debug?: boolean;
  /** Log TRC lines. */
  trace?: boolean;
  /** Prefix lines with the local date and time (nats-server `logtime`, default true). */
  logtime?: boolean;
  /** Append to this file instead of writing to stderr. */
  logFile?: string;
}

const PLAIN_LABELS = { info: '[INF] ', warn: '[WRN] ', error: '[ERR] ', fatal: '[FTL] ', debug: '[DBG] ', trace: '[TRC] ' };
// The colours nats-server uses when stderr is a terminal.
const COLOURED_LABELS = {
  info: '[\x1b[32mINF\x1b[0m] ',
  warn: '[\x1b[0;93mWRN\x1b[0m] ',
  error: '[\x1b[31mERR\x1b[0m] ',
  fatal: '[\x1b[31mFTL\x1b[0m] ',
  debug: '[\x1b[36mDBG\x1b[0m] ',
  trace: '[\x1b[33mTRC\x1b[0m] ',
};
type Labels = typeof PLAIN_LABELS;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/**
 * Writes nats-server's log line format: `[pid] YYYY/MM/DD HH:MM:SS.uuuuuu [INF] text`, the time
 * in local time and omitted when `logtime` is false. Writes are synchronous, so lines are never
 * lost on exit and keep their order with other stderr output.
 */
export class Logger {
  private debugEnabled = false;
  private traceEnabled = false;
  private logtime = true;
  private logFile: string | undefined;
  private fileFd: number | undefined;
  private labels: Labels = PLAIN_LABELS;
  private readonly pidPrefix = `[${process.pid}] `;
  // The date and time down to the second only change once a second; reuse the formatted text.
  private cachedSecond = -1;
  private cachedDateTime = '';

  constructor(options: LoggerOptions = {}) {
    this.configure(options);
  }

  /**
   * Applies new settings (SIGHUP reload): switches debug/trace/logtime and (re)opens the log file,
   * so a file rotated away by an external tool is replaced by a fresh one. Omitted options take
   * their defaults (debug and trace off, logtime on, stderr).
   * Throws if the log file cannot be opened; the previous destination stays in use then.
   */
  configure(options: LoggerOptions): void {
    if (options.logFile !== undefined) {
      const fd = openSync(options.logFile, 'a', 0o660);
      this.closeFile();
      this.fileFd = fd;
    } else {
      this.closeFile();
    }
    this.logFile = options.logFile;
    this.debugEnabled = options.debug ?? false;
    this.traceEnabled = options.trace ?? false;
    this.logtime = options.logtime ?? true;
    this.labels = this.fileFd === undefined && process.stderr.isTTY ? COLOURED_LABELS : PLAIN_LABELS;
  }

  /** The log file currently written to, or undefined for stderr. */
  get file(): string | undefined {
    return this.logFile;
  }

  /** True when debug lines are written; check it before building an expensive message. */
  get isDebug(): boolean {
    return this.debugEnabled;
  }

  /** True when trace lines are written; check it before building an expensive message. */
  get isTrace(): boolean {
    return this.traceEnabled;
  }

  info(msg: string): void {
    this.write(this.labels.info, msg);
  }

  warn(msg: string): void {
    this.write(this.labels.warn, msg);
  }

  error(msg: string): void {
    this.write(this.labels.error, msg);
  }

  /** Logs at FTL and exits the process with status 1, as nats-server's Fatalf does. */
  fatal(msg: string): never {
    this.write(this.labels.fatal, msg);
    process.exit(1);
  }

  debug(msg: string): void {
    if (this.debugEnabled) this.write(this.labels.debug, msg);
  }

  trace(msg: string): void {
    if (this.traceEnabled) this.write(this.labels.trace, msg);
  }

  /** Closes the log file; later lines go to stderr. */
  close(): void {
    this.closeFile();
    this.logFile = undefined;
  }

  private closeFile(): void {
    if (this.fileFd === undefined) return;
    closeSync(this.fileFd);
    this.fileFd = undefined;
  }

  private write(label: string, msg: string): void {
    const newline = msg.endsWith('\n') ? '' : '\n';
    const line = this.logtime
      ? `${this.pidPrefix}${this.timestamp()} ${label}${msg}${newline}`
      : `${this.pidPrefix}${label}${msg}${newline}`;
    if (this.fileFd !== undefined) writeSync(this.fileFd, line);
    else process.stderr.write(line);
  }

  private timestamp(): string {
    const nowMs = wallClockMs();
    const second = Math.floor(nowMs / 1000);
    if (second !== this.cachedSecond) {
      const d = new Date(second * 1000);
      this.cachedSecond = second;
      this.cachedDateTime =
        `${d.getFullYear()}/${pad2(d.getMonth() + 1)}/${pad2(d.getDate())} ` +
        `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
    }
    const micros = Math.min(999_999, Math.max(0, Math.floor((nowMs - second * 1000) * 1000)));
    return `${this.cachedDateTime}.${String(micros).padStart(6, '0')}`;
  }
}
