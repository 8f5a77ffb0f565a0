// The file store (storage 'file'). A stream is a directory; its records are appended to block
// files `<dir>/msgs/<n>.blk` (n = 1, 2, ...; a new block when the next record would not fit
// in blockSize, 8 MiB by default). The record format is in block-record.ts: every record
// carries its length and a CRC-32, and is one of MESSAGE, ERASED (a message overwritten by an
// erase), DELETE (one removal) and STATE (nothing below firstSeq is left; sequences up to
// lastSeq are used).
//
// Which removal writes what: a single remove, a purge by subject and max_msgs_per_subject write
// a DELETE; removals from the front (max_msgs, max_bytes, expiry, purge, compact) write one
// STATE after them. Opening replays every block in order into the index, so the state
// (sequences, removals, per-subject counts, bytes) comes back exactly.
//
// A block whose messages are all removed is unlinked in the next flush() (never the block being
// written). Its records may be what removes messages of older blocks still there, so first
// its DELETEs of those are written again into the current block, then a STATE (which covers
// everything below the first sequence and the last sequence), and only after that write is
// the file unlinked.
//
// A torn or garbage tail of the last block (a crash during a write) is cut off at the last good
// record; a bad record in another block ends the replay of that block. Both are reported by
// recoveryReport(), and opening never throws for them.
//
// Appends are encoded into a write buffer; flush() writes it with one positioned write, after
// which it survives a crash of the process (the page cache). The buffer is also written out
// early when it is full (256 KiB) and when a block is finished, so a long batch does not pile
// up in memory. fsync runs on a timer every syncIntervalMs, or in every flush with syncAlways.
// Nothing locks the directory: one store per directory at a time is the caller's business. The index (sequence-index.ts plus the
// block, offset and length of each record here) lives in typed arrays; message bytes stay on
// disk and are read back with a positioned read, through a 64 KiB read window.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  DELETE_RECORD_LENGTH,
  MAX_SUBJECT_LENGTH,
  RECORD_DELETE,
  RECORD_ERASED,
  RECORD_MESSAGE,
  RecordReader,
  STATE_RECORD_LENGTH,
  encodeDelete,
  encodeMessage,
  encodeState,
  eraseMessage,
  messageRecordLength,
} from './block-record.js';
import { IndexedStreamStore } from './indexed-stream-store.js';
import { fileStoreMessageSize } from './message-size.js';
import { PeekedMessage } from './peeked-message.js';
import { INITIAL_SLOTS, SequenceIndex, moveSlots } from './sequence-index.js';
import type { StoreLimits, StoredMessage } from './stream-store.js';

export interface FileStoreOptions {
  /** Bytes per block file before a new one starts (a larger record gets a block of its own). */
  blockSize?: number;
  /** How often written blocks are fsynced; nats-server's sync_interval (2 minutes). */
  syncIntervalMs?: number;
  /** fsync in every flush. */
  syncAlways?: boolean;
}

/** A bad record met when opening: the rest of its block was not replayed. */
export interface RecoveryProblem {
  /** The block file's number (`<n>.blk`). */
  readonly block: number;
  readonly offset: number;
  readonly reason: string;
  /** From the bad record to the end of the block. */
  readonly droppedBytes: number;
  /** The last block is cut at the bad record (appends go on from there); others are left as they are. */
  readonly truncated: boolean;
}

const DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;
const MAX_BLOCK_SIZE = 0xffffffff; // offsets are kept as u32
const DEFAULT_SYNC_INTERVAL_MS = 120_000;
const WRITE_BUFFER_BYTES = 256 * 1024;
const READ_WINDOW_BYTES = 64 * 1024;
const MAX_READ_FDS = 16;
/** The header of every message read that had none. */
const NO_HEADER = new Uint8Array(0);
const BLOCK_FILE = /^(\d+)\.blk$/;

interface BlockFile {
  readonly id: number;
  readonly path: string;
  /** Bytes in the file, with those still in the write buffer for the current block. */
  size: number;
  liveMessages: number;
  /** DELETE records in this block about messages of other blocks. */
  foreignTombstones: number;
  /**
   * Records from here on were written (and checksummed) by this process: reading them back
   * skips the checksum. Those below it, read from disk as found, are checked.
   */
  readonly writtenFrom: number;
}

/** The sequence index plus where each message's record is. */
class FileIndex extends SequenceIndex {
  private blockIds = new Uint32Array(INITIAL_SLOTS);
  private offsets = new Uint32Array(INITIAL_SLOTS);
  private lengths = new Uint32Array(INITIAL_SLOTS);

  addRecord(seq: number, subject: string, timeNs: bigint, size: number, blockId: number, offset: number, length: number): void {
    this.add(seq, subject, timeNs, size);
    const slot = seq - this.base;
    this.blockIds[slot] = blockId;
    this.offsets[slot] = offset;
    this.lengths[slot] = length;
  }

  /** Of a sequence the index has. */
  blockOf(seq: number): number {
    return this.blockIds[seq - this.base]!;
  }

  offsetOf(seq: number): number {
    return this.offsets[seq - this.base]!;
  }

  lengthOf(seq: number): number {
    return this.lengths[seq - this.base]!;
  }

  /** The block a sequence between first and last was stored in, removed or not; 0 when unknown. */
  blockOfAnySeq(seq: number): number {
    return seq < this.firstSeq || seq > this.lastSeq ? 0 : this.blockIds[seq - this.base]!;
  }

  protected override moveSlots(capacity: number, shift: number, length: number): void {
    super.moveSlots(capacity, shift, length);
    this.blockIds = moveSlots(this.blockIds, capacity, shift, length);
    this.offsets = moveSlots(this.offsets, capacity, shift, length);
    this.lengths = moveSlots(this.lengths, capacity, shift, length);
  }
}

export class FileStore extends IndexedStreamStore<FileIndex> {
  readonly storage = 'file' as const;
  private readonly blocksDir: string;
  private readonly blockSize: number;
  private readonly syncAlways: boolean;
  /** By id, ascending (the order they were written in). */
  private readonly blocks = new Map<number, BlockFile>();
  private current: BlockFile | undefined;
  private currentFd = -1;
  /** Records for the end of the current block not written yet. */
  private writeBuffer = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  private buffered = 0;
  /** Open descriptors of other blocks, least recently used first. */
  private readonly readFds = new Map<number, number>();
  private readonly readWindow = Buffer.allocUnsafe(READ_WINDOW_BYTES);
  private windowBlock = 0;
  private windowStart = 0;
  private windowLength = 0;
  /** Blocks written since the last fsync. */
  private readonly unsynced = new Set<number>();
  /** Blocks left without messages, unlinked in the next flush. */
  private readonly emptied = new Set<number>();
  private readonly reader = new RecordReader();
  private readonly peeked = new PeekedMessage();
  /** Whether the last readRecord read into a buffer of its own (a record larger than the read window). */
  private readOwnBuffer = false;
  private readonly problems: RecoveryProblem[] = [];
  private syncTimer: NodeJS.Timeout | undefined;

  /** Opens the stream in `dir` (created when missing) and replays what is there. */
  static open(dir: string, limits: StoreLimits, options: FileStoreOptions = {}): FileStore {
    const store = new FileStore(dir, limits, options);
    store.recover();
    store.syncTimer = setInterval(() => store.sync(), options.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS);
    store.syncTimer.unref();
    return store;
  }

  private constructor(
    private readonly dir: string,
    limits: StoreLimits,
    options: FileStoreOptions,
  ) {
    super(new FileIndex(), limits);
    const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    if (!Number.isInteger(blockSize) || blockSize <= 0 || blockSize > MAX_BLOCK_SIZE) {
      throw new RangeError(`blockSize must be an integer from 1 to ${MAX_BLOCK_SIZE}, not ${blockSize}`);
    }
    this.blockSize = blockSize;
    this.syncAlways = options.syncAlways ?? false;
    this.blocksDir = join(dir, 'msgs');
    mkdirSync(this.blocksDir, { recursive: true });
  }

  /** The bad records met when opening (empty when everything replayed). */
  recoveryReport(): readonly RecoveryProblem[] {
    return this.problems;
  }

  flush(): void {
    this.assertOpen();
    const retiring = this.retireEmptiedBlocks();
    this.writeOut();
    if (this.syncAlways) this.sync();
    for (const block of retiring) unlinkSync(block.path);
    if (this.writeBuffer.length > WRITE_BUFFER_BYTES) this.writeBuffer = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  }

  protected storeMessage(seq: number, subject: string, header: Uint8Array, data: Uint8Array, timeNs: bigint): void {
    if (subject.length > MAX_SUBJECT_LENGTH) throw new RangeError(`a subject of ${subject.length} bytes is over ${MAX_SUBJECT_LENGTH}`);
    const length = messageRecordLength(subject.length, header.length, data.length);
    const at = this.reserve(length);
    encodeMessage(this.writeBuffer, at, seq, timeNs, subject, header, data);
    const block = this.current!;
    const size = fileStoreMessageSize(subject.length, header.length, data.length);
    this.index.addRecord(seq, subject, timeNs, size, block.id, block.size - length, length);
    block.liveMessages++;
  }

  protected readMessage(seq: number): StoredMessage {
    const source = this.readRecord(seq);
    const reader = this.reader;
    const headerLength = reader.headerLength;
    const dataLength = reader.dataLength;
    let bytes: Buffer = source;
    let bytesAt = reader.headerAt;
    if (!this.readOwnBuffer) {
      // Copied out of the shared buffer into Buffer's pool (no ArrayBuffer of its own per read).
      bytes = Buffer.allocUnsafe(headerLength + dataLength);
      source.copy(bytes, 0, bytesAt, bytesAt + headerLength + dataLength);
      bytesAt = 0;
    }
    // Views made directly: subarray looks up the species constructor on every call.
    const base = bytes.byteOffset + bytesAt;
    return {
      seq,
      // The index holds each subject once: no string is made per read.
      subject: this.index.subjectOf(seq),
      timeNs: reader.timeNs,
      header: headerLength === 0 ? NO_HEADER : new Uint8Array(bytes.buffer, base, headerLength),
      data: new Uint8Array(bytes.buffer, base + headerLength, dataLength),
    };
  }

  protected peekMessage(seq: number): PeekedMessage {
    const source = this.readRecord(seq);
    const r = this.reader;
    return this.peeked.fill(seq, this.index.subjectOf(seq), source, r.headerAt, r.headerLength, r.dataAt + r.dataLength, r.timeHigh, r.timeLow);
  }

  /**
   * Reads the record of `seq` into the reader and returns the buffer it is in: the write buffer,
   * the read window, or (a record larger than the window) a buffer of its own, which
   * `readOwnBuffer` then says.
   */
  private readRecord(seq: number): Buffer {
    const blockId = this.index.blockOf(seq);
    const offset = this.index.offsetOf(seq);
    const length = this.index.lengthOf(seq);
    let source: Buffer;
    let at = 0;
    this.readOwnBuffer = false;
    const current = this.current;
    if (current !== undefined && blockId === current.id && offset >= current.size - this.buffered) {
      source = this.writeBuffer;
      at = offset - (current.size - this.buffered);
    } else if (blockId === this.windowBlock && offset >= this.windowStart && offset + length <= this.windowStart + this.windowLength) {
      source = this.readWindow;
      at = offset - this.windowStart;
    } else if (length > READ_WINDOW_BYTES) {
      source = Buffer.allocUnsafe(length);
      readFully(this.fdOf(blockId), source, length, offset);
      this.readOwnBuffer = true;
    } else {
      const block = this.blocks.get(blockId)!;
      const readable = Math.min(READ_WINDOW_BYTES, (block === current ? block.size - this.buffered : block.size) - offset);
      this.windowLength = 0;
      readFully(this.fdOf(blockId), this.readWindow, readable, offset);
      this.windowBlock = blockId;
      this.windowStart = offset;
      this.windowLength = readable;
      source = this.readWindow;
    }
    const reader = this.reader;
    const problem = reader.read(source, at, at + length, offset < this.blocks.get(blockId)!.writtenFrom);
    if (problem !== undefined || reader.type !== RECORD_MESSAGE || reader.seq !== seq) {
      throw new Error(`${this.dir}: block ${blockId} at ${offset} does not hold message ${seq} (${problem ?? 'another record'})`);
    }
    return source;
  }

  protected discardMessage(seq: number, erase: boolean): void {
    const block = this.blocks.get(this.index.blockOf(seq))!;
    if (erase) this.eraseRecord(seq, block);
    block.liveMessages--;
    if (block.liveMessages === 0 && block !== this.current) this.emptied.add(block.id);
  }

  protected persistRemoval(seq: number): void {
    const at = this.reserve(DELETE_RECORD_LENGTH);
    encodeDelete(this.writeBuffer, at, seq);
    if (this.index.blockOf(seq) !== this.current!.id) this.current!.foreignTombstones++;
  }

  protected persistFirstSeq(): void {
    const at = this.reserve(STATE_RECORD_LENGTH);
    encodeState(this.writeBuffer, at, this.index.firstSeq, this.index.lastSeq, this.index.lastTimeNs);
  }

  protected release(): void {
    this.flush();
    this.sync();
    clearInterval(this.syncTimer);
    if (this.currentFd >= 0) closeSync(this.currentFd);
    this.currentFd = -1;
    for (const fd of this.readFds.values()) closeSync(fd);
    this.readFds.clear();
  }

  protected removeStorage(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private blockPath(id: number): string {
    return join(this.blocksDir, `${id}.blk`);
  }

  private recover(): void {
    const ids: number[] = [];
    for (const name of readdirSync(this.blocksDir)) {
      const match = BLOCK_FILE.exec(name);
      if (match !== null) ids.push(Number(match[1]));
    }
    ids.sort((a, b) => a - b);
    for (let i = 0; i < ids.length; i++) this.replayBlock(ids[i]!, i === ids.length - 1);
    if (ids.length === 0) return;
    this.current = this.blocks.get(ids[ids.length - 1]!)!;
    this.currentFd = openSync(this.current.path, 'r+');
    for (const block of this.blocks.values()) {
      if (block !== this.current && block.liveMessages === 0) this.emptied.add(block.id);
    }
    if (this.emptied.size > 0) this.flush();
  }

  private replayBlock(id: number, isLast: boolean): void {
    const path = this.blockPath(id);
    const bytes = readFileSync(path);
    const block: BlockFile = { id, path, size: bytes.length, liveMessages: 0, foreignTombstones: 0, writtenFrom: bytes.length };
    this.blocks.set(id, block);
    for (let at = 0; at < bytes.length; at += this.reader.length) {
      const problem = this.reader.read(bytes, at, bytes.length) ?? this.replayRecord(block, bytes, at);
      if (problem === undefined) continue;
      this.problems.push({ block: id, offset: at, reason: problem, droppedBytes: bytes.length - at, truncated: isLast });
      if (isLast) {
        truncateSync(path, at);
        block.size = at;
      }
      return;
    }
  }

  /** Applies the record the reader just read; what is wrong with it when it does not fit. */
  private replayRecord(block: BlockFile, bytes: Buffer, at: number): string | undefined {
    const record = this.reader;
    const index = this.index;
    switch (record.type) {
      case RECORD_MESSAGE:
      case RECORD_ERASED: {
        if (record.seq <= index.lastSeq) return `message ${record.seq} not above the last sequence ${index.lastSeq}`;
        const subject = bytes.toString('latin1', record.subjectAt, record.headerAt);
        const size = fileStoreMessageSize(record.subjectLength, record.headerLength, record.dataLength);
        index.addRecord(record.seq, subject, record.timeNs, size, block.id, at, record.length);
        block.liveMessages++;
        if (record.type === RECORD_ERASED) this.forget(record.seq);
        return undefined;
      }
      case RECORD_DELETE:
        if (index.has(record.seq)) {
          if (index.blockOf(record.seq) !== block.id) block.foreignTombstones++;
          this.forget(record.seq);
        }
        return undefined;
      default: // a STATE record, the one type left that the reader accepts
        while (index.messages > 0 && index.firstSeq < record.seq) this.forget(index.firstSeq);
        index.skipTo(record.lastSeq, record.lastTimeNs);
        return undefined;
    }
  }

  /** Removes `seq` from the index and its block's count, writing nothing (replay). */
  private forget(seq: number): void {
    this.blocks.get(this.index.blockOf(seq))!.liveMessages--;
    this.index.remove(seq);
  }

  /** Room for `length` bytes at the end of the current block; returns where in the write buffer. */
  private reserve(length: number): number {
    let block = this.current;
    if (block === undefined || (block.size > 0 && block.size + length > this.blockSize)) block = this.startBlock();
    if (this.buffered + length > this.writeBuffer.length) {
      this.writeOut();
      if (length > this.writeBuffer.length) this.writeBuffer = Buffer.allocUnsafe(length);
    }
    const at = this.buffered;
    this.buffered += length;
    block.size += length;
    return at;
  }

  private startBlock(): BlockFile {
    const previous = this.current;
    if (previous !== undefined) {
      this.writeOut();
      closeSync(this.currentFd);
      if (previous.liveMessages === 0) this.emptied.add(previous.id);
    }
    const id = (previous?.id ?? 0) + 1;
    const block: BlockFile = { id, path: this.blockPath(id), size: 0, liveMessages: 0, foreignTombstones: 0, writtenFrom: 0 };
    this.currentFd = openSync(block.path, 'w+');
    this.blocks.set(id, block);
    this.current = block;
    return block;
  }

  /** Writes the buffered records to the current block (no fsync). */
  private writeOut(): void {
    if (this.buffered === 0) return;
    const block = this.current!;
    writeFully(this.currentFd, this.writeBuffer, this.buffered, block.size - this.buffered);
    this.unsynced.add(block.id);
    this.buffered = 0;
  }

  private sync(): void {
    for (const id of this.unsynced) {
      const block = this.blocks.get(id);
      if (block === undefined) continue;
      if (block === this.current) {
        fsyncSync(this.currentFd);
        continue;
      }
      const fd = openSync(block.path, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    this.unsynced.clear();
  }

  /**
   * Takes the emptied blocks out and buffers what must outlive them: their DELETEs of messages
   * in blocks still there, then a STATE. The caller writes the buffer, then unlinks them.
   */
  private retireEmptiedBlocks(): BlockFile[] {
    if (this.emptied.size === 0) return [];
    const retiring: BlockFile[] = [];
    for (const id of this.emptied) {
      retiring.push(this.blocks.get(id)!);
      this.blocks.delete(id);
      const fd = this.readFds.get(id);
      if (fd !== undefined) closeSync(fd);
      this.readFds.delete(id);
      if (this.windowBlock === id) this.windowLength = 0;
    }
    this.emptied.clear();
    for (const block of retiring) if (block.foreignTombstones > 0) this.carryTombstones(block);
    this.persistFirstSeq();
    return retiring;
  }

  private carryTombstones(block: BlockFile): void {
    const bytes = readFileSync(block.path);
    const record = this.reader;
    for (let at = 0; at < bytes.length && record.read(bytes, at, bytes.length) === undefined; at += record.length) {
      if (record.type !== RECORD_DELETE) continue;
      const target = this.index.blockOfAnySeq(record.seq);
      if (target === 0 || !this.blocks.has(target)) continue;
      encodeDelete(this.writeBuffer, this.reserve(DELETE_RECORD_LENGTH), record.seq);
      this.current!.foreignTombstones++;
    }
  }

  /** Overwrites the message's header and data where it is stored, making it an ERASED record. */
  private eraseRecord(seq: number, block: BlockFile): void {
    const offset = this.index.offsetOf(seq);
    const length = this.index.lengthOf(seq);
    const bufferStart = block === this.current ? block.size - this.buffered : block.size;
    if (offset >= bufferStart) {
      eraseMessage(this.writeBuffer, offset - bufferStart, length);
      return;
    }
    const fd = this.fdOf(block.id);
    const record = Buffer.allocUnsafe(length);
    readFully(fd, record, length, offset);
    const problem = this.reader.read(record, 0, length);
    if (problem !== undefined || this.reader.seq !== seq) {
      throw new Error(`${this.dir}: block ${block.id} at ${offset} does not hold message ${seq} (${problem ?? 'another record'})`);
    }
    eraseMessage(record, 0, length);
    writeFully(fd, record, length, offset);
    this.unsynced.add(block.id);
    if (this.windowBlock === block.id) this.windowLength = 0;
  }

  private fdOf(blockId: number): number {
    if (blockId === this.current?.id) return this.currentFd;
    let fd = this.readFds.get(blockId);
    if (fd !== undefined) {
      this.readFds.delete(blockId);
    } else {
      fd = openSync(this.blockPath(blockId), 'r+');
      if (this.readFds.size >= MAX_READ_FDS) {
        const [oldestId, oldestFd] = this.readFds.entries().next().value!;
        closeSync(oldestFd);
        this.readFds.delete(oldestId);
      }
    }
    this.readFds.set(blockId, fd);
    return fd;
  }
}

function readFully(fd: number, target: Buffer, length: number, position: number): void {
  for (let done = 0; done < length; ) {
    const read = readSync(fd, target, done, length - done, position + done);
    if (read === 0) throw new Error(`a block file ends before ${position + length}`);
    done += read;
  }
}

function writeFully(fd: number, source: Buffer, length: number, position: number): void {
  for (let done = 0; done < length; ) done += writeSync(fd, source, done, length - done, position + done);
}
