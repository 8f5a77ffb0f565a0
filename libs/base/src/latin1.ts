// Node's Buffer has latin1Slice/latin1Write (the primitives behind toString/write with 'latin1')
// but @types/node does not declare them; calling them directly skips encoding-name dispatch.
interface Latin1Buffer {
  latin1Slice(start: number, end: number): string;
  latin1Write(text: string, offset: number): number;
}

// Below this length a JS loop beats the native call's fixed cost.
const SHORT_STRING = 16;

export function latin1Slice(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as Latin1Buffer).latin1Slice(start, end);
}

/** Writes `text` (one byte per char, code points above 255 truncated) at `offset`; the caller ensures room. */
export function latin1Write(buf: Buffer, text: string, offset: number): number {
  const length = text.length;
  if (length < SHORT_STRING) {
    for (let i = 0; i < length; i++) buf[offset + i] = text.charCodeAt(i);
    return length;
  }
  return (buf as unknown as Latin1Buffer).latin1Write(text, offset);
}
