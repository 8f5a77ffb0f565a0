/**
 * The `Nats-*` headers a publish into a stream may carry, read from the header block's bytes in
 * one pass (names compared exactly, as nats-server does). Reused for every message: reading a
 * block resets it.
 */
export class PublishHeaders {
  msgId = '';
  expectedStream = '';
  expectedLastMsgId = '';
  /** -1 when absent. */
  expectedLastSeq = -1;
  expectedLastSubjectSeq = -1;
  rollup = '';

  /** Reads `data[start, start + size)`, the header block (`NATS/1.0...\r\n\r\n`). */
  read(data: Uint8Array, start: number, size: number): void {
    this.msgId = '';
    this.expectedStream = '';
    this.expectedLastMsgId = '';
    this.expectedLastSeq = -1;
    this.expectedLastSubjectSeq = -1;
    this.rollup = '';
    const end = start + size;
    // Skip the status line.
    let i = indexOfCrlf(data, start, end);
    while (i >= 0 && i + 2 < end) {
      const lineStart = i + 2;
      const lineEnd = indexOfCrlf(data, lineStart, end);
      if (lineEnd < 0 || lineEnd === lineStart) return;
      // Only names starting with "Nats-" matter: N a t s -
      if (lineEnd - lineStart > 5 && data[lineStart] === 0x4e && data[lineStart + 1] === 0x61 && data[lineStart + 2] === 0x74 && data[lineStart + 3] === 0x73 && data[lineStart + 4] === 0x2d) {
        this.readLine(data, lineStart, lineEnd);
      }
      i = lineEnd;
    }
  }

  private readLine(data: Uint8Array, start: number, end: number): void {
    let colon = start;
    while (colon < end && data[colon] !== 0x3a) colon++;
    if (colon === end) return;
    const name = latin1(data, start, colon);
    let v = colon + 1;
    while (v < end && (data[v] === 0x20 || data[v] === 0x09)) v++;
    let e = end;
    while (e > v && (data[e - 1] === 0x20 || data[e - 1] === 0x09)) e--;
    switch (name) {
      case 'Nats-Msg-Id':
        this.msgId = utf8(data, v, e);
        break;
      case 'Nats-Expected-Stream':
        this.expectedStream = utf8(data, v, e);
        break;
      case 'Nats-Expected-Last-Msg-Id':
        this.expectedLastMsgId = utf8(data, v, e);
        break;
      case 'Nats-Expected-Last-Sequence':
        this.expectedLastSeq = parseSeq(data, v, e);
        break;
      case 'Nats-Expected-Last-Subject-Sequence':
        this.expectedLastSubjectSeq = parseSeq(data, v, e);
        break;
      case 'Nats-Rollup':
        this.rollup = latin1(data, v, e);
        break;
    }
  }
}

function indexOfCrlf(data: Uint8Array, from: number, end: number): number {
  for (let i = from; i + 1 < end; i++) if (data[i] === 0x0d && data[i + 1] === 0x0a) return i;
  return -1;
}

function latin1(data: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(data[i]!);
  return s;
}

function utf8(data: Uint8Array, start: number, end: number): string {
  return Buffer.from(data.buffer, data.byteOffset + start, end - start).toString('utf8');
}

/**
 * A decimal sequence. An empty value counts as absent (-1); one that is not a number can never
 * match, as in nats-server (where it parses to the largest sequence).
 */
function parseSeq(data: Uint8Array, start: number, end: number): number {
  if (start === end) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = data[i]! - 0x30;
    if (c < 0 || c > 9) return Number.MAX_SAFE_INTEGER;
    n = n * 10 + c;
  }
  return n;
}
