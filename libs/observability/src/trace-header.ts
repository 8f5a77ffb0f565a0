// The `traceparent` entry of a NATS header block ("NATS/1.0[ status]\r\nKey: Value\r\n...\r\n\r\n"),
// read and rewritten on bytes. Only traced messages get here: the hot path never scans headers
// while tracing is off.

const NAME = 'traceparent';
const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;

// Offsets of the value of the first traceparent line in buf[start, end), trimmed; undefined when absent.
function locate(buf: Uint8Array, start: number, end: number): { from: number; to: number } | undefined {
  let line = start;
  // Skip the status line.
  while (line < end && buf[line] !== LF) line++;
  line++;
  while (line < end) {
    let lineEnd = line;
    while (lineEnd < end && buf[lineEnd] !== LF) lineEnd++;
    const contentEnd = lineEnd > line && buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    if (contentEnd - line > NAME.length && buf[line + NAME.length] === COLON && nameMatches(buf, line)) {
      let from = line + NAME.length + 1;
      let to = contentEnd;
      while (from < to && (buf[from] === SPACE || buf[from] === TAB)) from++;
      while (to > from && (buf[to - 1] === SPACE || buf[to - 1] === TAB)) to--;
      return { from, to };
    }
    line = lineEnd + 1;
  }
  return undefined;
}

function nameMatches(buf: Uint8Array, at: number): boolean {
  for (let i = 0; i < NAME.length; i++) if ((buf[at + i]! | 0x20) !== NAME.charCodeAt(i)) return false;
  return true;
}

/** The traceparent header value of the header block buf[start, end) (name matched case-insensitively). */
export function readTraceparentHeader(buf: Uint8Array, start: number, end: number): string | undefined {
  const at = locate(buf, start, end);
  return at === undefined ? undefined : Buffer.from(buf.buffer, buf.byteOffset + at.from, at.to - at.from).toString('latin1');
}

/** A copy of `header` (a whole header block) whose traceparent is `traceparent`, replaced or added. */
export function withTraceparentHeader(header: Uint8Array, traceparent: string): Buffer {
  const at = locate(header, 0, header.length);
  if (at !== undefined) {
    return Buffer.concat([header.subarray(0, at.from), Buffer.from(traceparent, 'latin1'), header.subarray(at.to)]);
  }
  // Before the blank line that ends the block.
  const end = header.length >= 2 && header[header.length - 2] === CR && header[header.length - 1] === LF ? header.length - 2 : header.length;
  return Buffer.concat([header.subarray(0, end), Buffer.from(`${NAME}: ${traceparent}\r\n`, 'latin1'), header.subarray(end)]);
}
