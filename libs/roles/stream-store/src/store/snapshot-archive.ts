// A stream snapshot as nats-ts sends it in STREAM.SNAPSHOT chunks and takes back in
// STREAM.RESTORE chunks. Clients keep it as opaque bytes (the nats CLI names the file
// stream.tar.s2, but this is not nats-server's tar): a stream of pieces, all little-endian,
//
//   magic     the 8 bytes "NTSSNAP1"
//   meta      u32 length of the whole frame, the stream's JSON (config, created) in UTF-8,
//             u32 crc32 of every byte of the frame before it
//   messages  MESSAGE records of block-record.ts, sequences ascending (removed ones absent)
//   end       a STATE record of block-record.ts: first and last sequence and the last time
//
// Nothing may follow the end; an archive without one is truncated. Every piece carries its
// length and a checksum, so a reader knows where a piece ends however the chunks cut it.
import { DELETE_RECORD_LENGTH, MAX_SUBJECT_LENGTH, RECORD_MESSAGE, RECORD_STATE, RecordReader, STATE_RECORD_LENGTH, encodeMessage, encodeState, messageRecordLength } from './block-record.js';
import { crc32 } from './crc32.js';
import type { StreamStore } from './stream-store.js';

const MAGIC = Buffer.from('NTSSNAP1', 'latin1');
const FRAME_OVERHEAD = 8;
/** nats-server's largest max_payload (64 MiB) with the largest subject and header around it. */
export const MAX_ARCHIVE_PIECE = 64 * 1024 * 1024 + 2 * MAX_SUBJECT_LENGTH + 64;
const MIN_SCRATCH = 64 * 1024;

/** Where the archive's first sequence, last sequence and last time come from. */
export interface ArchiveEnd {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly lastTimeNs: bigint;
}

/**
 * Produces a stream's archive chunk by chunk, reading each message from the store only when the
 * chunk it goes into is filled: what is held is one encoded piece, never the stream. Messages
 * appended after `end` was taken are not in it; those removed meanwhile are left out.
 */
export class ArchiveWriter {
  /** The piece being copied out, in `scratch[pieceAt, pieceEnd)`. */
  private scratch: Buffer;
  private pieceAt = 0;
  private pieceEnd: number;
  private nextSeq: number;
  private ended = false;

  constructor(
    private readonly store: StreamStore,
    meta: string,
    private readonly end: ArchiveEnd,
  ) {
    const json = Buffer.from(meta, 'utf8');
    const frameLength = FRAME_OVERHEAD + json.length;
    this.scratch = Buffer.allocUnsafe(Math.max(MIN_SCRATCH, MAGIC.length + frameLength));
    MAGIC.copy(this.scratch, 0);
    this.scratch.writeUInt32LE(frameLength, MAGIC.length);
    json.copy(this.scratch, MAGIC.length + 4);
    const crcAt = MAGIC.length + frameLength - 4;
    this.scratch.writeUInt32LE(crc32(this.scratch, MAGIC.length, crcAt), crcAt);
    this.pieceEnd = MAGIC.length + frameLength;
    this.nextSeq = Math.max(end.firstSeq, 1);
  }

  /** Fills `chunk` from its start and returns how many bytes it wrote; 0 once all were written. */
  fill(chunk: Buffer): number {
    let written = 0;
    while (written < chunk.length) {
      if (this.pieceAt === this.pieceEnd && !this.nextPiece()) break;
      const n = Math.min(chunk.length - written, this.pieceEnd - this.pieceAt);
      this.scratch.copy(chunk, written, this.pieceAt, this.pieceAt + n);
      this.pieceAt += n;
      written += n;
    }
    return written;
  }

  /** Encodes the next message, or the end; false after the end. */
  private nextPiece(): boolean {
    if (this.ended) return false;
    const lastSeq = this.end.lastSeq;
    const message = this.nextSeq <= lastSeq ? this.store.loadNextMatching('', this.nextSeq) : undefined;
    if (message !== undefined && message.seq <= lastSeq) {
      const length = messageRecordLength(message.subject.length, message.header.length, message.data.length);
      if (length > this.scratch.length) this.scratch = Buffer.allocUnsafe(length);
      encodeMessage(this.scratch, 0, message.seq, message.timeNs, message.subject, message.header, message.data);
      this.nextSeq = message.seq + 1;
      this.setPiece(length);
      return true;
    }
    encodeState(this.scratch, 0, this.end.firstSeq, lastSeq, this.end.lastTimeNs);
    this.ended = true;
    this.setPiece(STATE_RECORD_LENGTH);
    return true;
  }

  private setPiece(length: number): void {
    this.pieceAt = 0;
    this.pieceEnd = length;
  }
}

/** What a restore does with the pieces; each answers an error text to stop it, or undefined. */
export interface ArchiveTarget {
  meta(json: string): string | undefined;
  /** The buffers are views into the chunk: valid only during the call. */
  message(seq: number, subject: string, header: Uint8Array, data: Uint8Array, timeNs: bigint): string | undefined;
  end(end: ArchiveEnd): string | undefined;
}

const enum Stage {
  Magic,
  Meta,
  Records,
  Ended,
}

/**
 * Reads an archive as its chunks arrive, handing each whole piece to the target. A piece cut by
 * a chunk boundary is kept until its rest comes (at most {@link MAX_ARCHIVE_PIECE} bytes); the
 * rest of the chunk is read in place.
 */
export class ArchiveReader {
  private stage = Stage.Magic;
  private pending = Buffer.alloc(0);
  private pendingLength = 0;
  private lastSeq = 0;
  private readonly records = new RecordReader();

  /** Reads the next chunk; undefined when all is well so far, else what is wrong. */
  push(chunk: Uint8Array, target: ArchiveTarget): string | undefined {
    const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let at = 0;
    while (this.pendingLength > 0 && at < input.length) {
      const length = this.pieceLength(this.pending, 0, this.pendingLength);
      if (typeof length === 'string') return length;
      // Until the length is known, just the bytes that say it.
      const need = length ?? 4;
      const take = Math.min(need - this.pendingLength, input.length - at);
      this.keep(input, at, take);
      at += take;
      if (length === undefined || this.pendingLength < need) continue;
      this.pendingLength = 0;
      const problem = this.piece(this.pending, 0, need, target);
      if (problem !== undefined) return problem;
    }
    while (at < input.length) {
      const length = this.pieceLength(input, at, input.length);
      if (typeof length === 'string') return length;
      if (length === undefined || input.length - at < length) {
        this.keep(input, at, input.length - at);
        return undefined;
      }
      const problem = this.piece(input, at, at + length, target);
      if (problem !== undefined) return problem;
      at += length;
    }
    return undefined;
  }

  /** The archive ended (the client's empty message): what is wrong when it is not whole. */
  finish(): string | undefined {
    this.pending = Buffer.alloc(0);
    return this.stage === Stage.Ended ? undefined : 'the archive is truncated';
  }

  /** The length of the piece at `at`; undefined while too few bytes say it. */
  private pieceLength(source: Buffer, at: number, end: number): number | string | undefined {
    switch (this.stage) {
      case Stage.Magic:
        return MAGIC.length;
      case Stage.Ended:
        return 'data after the end of the archive';
      default: {
        if (end - at < 4) return undefined;
        const length = source.readUInt32LE(at);
        const min = this.stage === Stage.Meta ? FRAME_OVERHEAD : DELETE_RECORD_LENGTH;
        if (length < min) return 'a piece too short';
        if (length > MAX_ARCHIVE_PIECE) return 'a piece too long';
        return length;
      }
    }
  }

  private piece(source: Buffer, at: number, end: number, target: ArchiveTarget): string | undefined {
    switch (this.stage) {
      case Stage.Magic:
        if (!source.subarray(at, end).equals(MAGIC)) return 'not a nats-ts snapshot';
        this.stage = Stage.Meta;
        return undefined;
      case Stage.Meta:
        if (source.readUInt32LE(end - 4) !== crc32(source, at, end - 4)) return 'a checksum mismatch';
        this.stage = Stage.Records;
        return target.meta(source.toString('utf8', at + 4, end - 4));
      default:
        return this.record(source, at, end, target);
    }
  }

  private record(source: Buffer, at: number, end: number, target: ArchiveTarget): string | undefined {
    const r = this.records;
    const problem = r.read(source, at, end);
    if (problem !== undefined) return problem;
    if (r.type === RECORD_STATE) {
      if (r.lastSeq < this.lastSeq) return 'a last sequence below the last message';
      this.stage = Stage.Ended;
      return target.end({ firstSeq: r.seq, lastSeq: r.lastSeq, lastTimeNs: r.lastTimeNs });
    }
    if (r.type !== RECORD_MESSAGE) return 'an unexpected record';
    if (!Number.isSafeInteger(r.seq) || r.seq <= this.lastSeq) return 'messages out of order';
    this.lastSeq = r.seq;
    const subject = source.toString('latin1', r.subjectAt, r.headerAt);
    return target.message(r.seq, subject, source.subarray(r.headerAt, r.dataAt), source.subarray(r.dataAt, r.dataAt + r.dataLength), r.timeNs);
  }

  /** Appends `source[at, at + length)` to the pending piece. */
  private keep(source: Buffer, at: number, length: number): void {
    const needed = this.pendingLength + length;
    if (needed > this.pending.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.pending.length * 2, 4096));
      this.pending.copy(grown, 0, 0, this.pendingLength);
      this.pending = grown;
    }
    source.copy(this.pending, this.pendingLength, at, at + length);
    this.pendingLength = needed;
  }
}
