// The records of a file-store block, all little-endian:
//
//   u32 length   of the whole record, these 4 bytes and the checksum included
//   u8  type     MESSAGE | ERASED | DELETE | STATE
//   ...          the body of that type
//   u32 crc32    of every byte before it
//
// MESSAGE and ERASED: u64 seq, i64 timeNs, u16 subjectLength, u32 headerLength, subject
// (latin1), header, data (the rest). ERASED is a MESSAGE whose header and data were
// overwritten: it says the sequence existed and is removed.
// DELETE: u64 seq, a message removed.
// STATE: u64 firstSeq, u64 lastSeq, i64 lastTimeNs: nothing is left below firstSeq, and the
// sequences up to lastSeq are used (last appended at lastTimeNs).
import { randomFillSync } from 'node:crypto';
import { crc32 } from './crc32.js';
import { int64FromHalves } from './int64.js';

export const RECORD_MESSAGE = 1;
export const RECORD_ERASED = 2;
export const RECORD_DELETE = 3;
export const RECORD_STATE = 4;

const TYPE_AT = 4;
const SEQ_AT = 5;
const TIME_AT = 13;
const SUBJECT_LENGTH_AT = 21;
const HEADER_LENGTH_AT = 23;
const CONTENT_AT = 27;
const CHECKSUM_LENGTH = 4;
const MESSAGE_OVERHEAD = CONTENT_AT + CHECKSUM_LENGTH;

export const DELETE_RECORD_LENGTH = SEQ_AT + 8 + CHECKSUM_LENGTH;
export const STATE_RECORD_LENGTH = SEQ_AT + 24 + CHECKSUM_LENGTH;
export const MAX_SUBJECT_LENGTH = 0xffff;

const TWO_TO_32 = 2 ** 32;

export function messageRecordLength(subjectLength: number, headerLength: number, dataLength: number): number {
  return MESSAGE_OVERHEAD + subjectLength + headerLength + dataLength;
}

function writeUint64(target: Buffer, value: number, at: number): void {
  target.writeUInt32LE(value >>> 0, at);
  target.writeUInt32LE(Math.floor(value / TWO_TO_32), at + 4);
}

// Field reads without Buffer's per-call argument checks (a delivery reads a record's fields
// each time): read() checks that the record lies inside what it was given first.
function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
}

function i32(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
}

function readUint64(source: Uint8Array, at: number): number {
  return u32(source, at) + u32(source, at + 4) * TWO_TO_32;
}

function seal(target: Buffer, at: number, length: number): void {
  target.writeUInt32LE(crc32(target, at, at + length - CHECKSUM_LENGTH), at + length - CHECKSUM_LENGTH);
}

/** Writes a MESSAGE record at `at` (room for {@link messageRecordLength} bytes is there). */
export function encodeMessage(target: Buffer, at: number, seq: number, timeNs: bigint, subject: string, header: Uint8Array, data: Uint8Array): void {
  const length = messageRecordLength(subject.length, header.length, data.length);
  target.writeUInt32LE(length, at);
  target[at + TYPE_AT] = RECORD_MESSAGE;
  writeUint64(target, seq, at + SEQ_AT);
  target.writeBigInt64LE(timeNs, at + TIME_AT);
  target.writeUInt16LE(subject.length, at + SUBJECT_LENGTH_AT);
  target.writeUInt32LE(header.length, at + HEADER_LENGTH_AT);
  const subjectAt = at + CONTENT_AT;
  target.write(subject, subjectAt, subject.length, 'latin1');
  target.set(header, subjectAt + subject.length);
  target.set(data, subjectAt + subject.length + header.length);
  seal(target, at, length);
}

export function encodeDelete(target: Buffer, at: number, seq: number): void {
  target.writeUInt32LE(DELETE_RECORD_LENGTH, at);
  target[at + TYPE_AT] = RECORD_DELETE;
  writeUint64(target, seq, at + SEQ_AT);
  seal(target, at, DELETE_RECORD_LENGTH);
}

export function encodeState(target: Buffer, at: number, firstSeq: number, lastSeq: number, lastTimeNs: bigint): void {
  target.writeUInt32LE(STATE_RECORD_LENGTH, at);
  target[at + TYPE_AT] = RECORD_STATE;
  writeUint64(target, firstSeq, at + SEQ_AT);
  writeUint64(target, lastSeq, at + SEQ_AT + 8);
  target.writeBigInt64LE(lastTimeNs, at + SEQ_AT + 16);
  seal(target, at, STATE_RECORD_LENGTH);
}

/**
 * Turns the MESSAGE record at `at` (already checked by a {@link RecordReader}) into an ERASED
 * one: its header and data are overwritten with random bytes (as nats-server erases), and the
 * checksum redone.
 */
export function eraseMessage(target: Buffer, at: number, length: number): void {
  const contentAt = at + CONTENT_AT + target.readUInt16LE(at + SUBJECT_LENGTH_AT);
  target[at + TYPE_AT] = RECORD_ERASED;
  randomFillSync(target, contentAt, at + length - CHECKSUM_LENGTH - contentAt);
  seal(target, at, length);
}

/**
 * Reads one record at a time, checking its length, checksum and shape; the fields of the last
 * good one stay on the reader (one reader is reused, no object per record).
 */
export class RecordReader {
  type = 0;
  length = 0;
  /** MESSAGE, ERASED, DELETE: the message's sequence; STATE: the first sequence. */
  seq = 0;
  /** MESSAGE, ERASED: the time's int64 halves (see int64.ts), and where its parts are in the buffer read. */
  timeHigh = 0;
  timeLow = 0;
  subjectAt = 0;
  subjectLength = 0;
  headerLength = 0;
  dataLength = 0;
  /** STATE. */
  lastSeq = 0;
  lastTimeNs = 0n;

  get timeNs(): bigint {
    return int64FromHalves(this.timeHigh, this.timeLow);
  }

  get headerAt(): number {
    return this.subjectAt + this.subjectLength;
  }

  get dataAt(): number {
    return this.headerAt + this.headerLength;
  }

  /**
   * Reads the record at `at` of `source[.., end)`; undefined when it is good, else what is wrong.
   * `verify` false skips the checksum (a record this process wrote itself).
   */
  read(source: Buffer, at: number, end: number, verify = true): string | undefined {
    if (end - at < DELETE_RECORD_LENGTH || end > source.length) return 'a partial record';
    const length = u32(source, at);
    if (length < DELETE_RECORD_LENGTH || length > end - at) return 'a record length beyond the block';
    if (verify && u32(source, at + length - CHECKSUM_LENGTH) !== crc32(source, at, at + length - CHECKSUM_LENGTH)) {
      return 'a checksum mismatch';
    }
    const type = source[at + TYPE_AT]!;
    switch (type) {
      case RECORD_MESSAGE:
      case RECORD_ERASED: {
        if (length < MESSAGE_OVERHEAD) return 'a message record too short';
        const subjectLength = u16(source, at + SUBJECT_LENGTH_AT);
        const headerLength = u32(source, at + HEADER_LENGTH_AT);
        const dataLength = length - MESSAGE_OVERHEAD - subjectLength - headerLength;
        if (dataLength < 0) return 'a message record shorter than its subject and header';
        this.timeLow = u32(source, at + TIME_AT);
        this.timeHigh = i32(source, at + TIME_AT + 4);
        this.subjectAt = at + CONTENT_AT;
        this.subjectLength = subjectLength;
        this.headerLength = headerLength;
        this.dataLength = dataLength;
        break;
      }
      case RECORD_DELETE:
        if (length !== DELETE_RECORD_LENGTH) return 'a delete record of the wrong length';
        break;
      case RECORD_STATE:
        if (length !== STATE_RECORD_LENGTH) return 'a state record of the wrong length';
        this.lastSeq = readUint64(source, at + SEQ_AT + 8);
        this.lastTimeNs = source.readBigInt64LE(at + SEQ_AT + 16);
        break;
      default:
        return `an unknown record type ${type}`;
    }
    this.type = type;
    this.length = length;
    this.seq = readUint64(source, at + SEQ_AT);
    return undefined;
  }
}
