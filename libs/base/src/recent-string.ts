import { copyBytes } from './copy-bytes.js';
import { latin1Slice } from './latin1.js';

// Longer tokens are rare and not worth keeping.
const MAX_REMEMBERED = 128;
const EMPTY = Buffer.alloc(0);

/**
 * The last string read from the wire at one argument position, with its bytes. Peers repeat
 * subjects and accounts from message to message, so a repeat costs a byte comparison instead of
 * a new string. Its memory is taken on the first read: idle connections pay nothing.
 * Protocol lines are read as latin1 (a byte per char, so any subject round-trips); the bus's
 * protobuf strings as UTF-8.
 */
export class RecentString {
  private bytes: Buffer = EMPTY;
  private length = -1;
  private text = '';

  constructor(private readonly encoding: 'latin1' | 'utf8' = 'latin1') {}

  /** `line[start, end)` as a string, the previous one when the bytes are the same. */
  read(line: Buffer, start: number, end: number): string {
    const length = end - start;
    if (length === this.length) {
      const last = this.bytes;
      let i = 0;
      while (i < length && line[start + i] === last[i]) i++;
      if (i === length) return this.text;
    }
    const text = this.encoding === 'latin1' ? latin1Slice(line, start, end) : line.toString('utf8', start, end);
    if (length <= MAX_REMEMBERED) {
      if (this.bytes.length === 0) this.bytes = Buffer.allocUnsafe(MAX_REMEMBERED);
      copyBytes(line, start, end, this.bytes, 0);
      this.length = length;
      this.text = text;
    }
    return text;
  }
}
