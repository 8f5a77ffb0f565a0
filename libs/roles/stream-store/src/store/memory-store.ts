import { randomFillSync } from 'node:crypto';
import { IndexedStreamStore } from './indexed-stream-store.js';
import { int64FromHalves, int64High, int64Low } from './int64.js';
import { memoryStoreMessageSize } from './message-size.js';
import { PeekedMessage } from './peeked-message.js';
import { SequenceIndex } from './sequence-index.js';
import type { StoreLimits, StoredMessage } from './stream-store.js';

/** A stream kept in this process only (storage 'memory'); gone with the process. */
export class MemoryStore extends IndexedStreamStore {
  readonly storage = 'memory' as const;
  /** Each message's header and data in one copy (header first), and its time's int64 halves. */
  private readonly messages = new Map<number, HeldMessage>();
  private readonly peeked = new PeekedMessage();

  constructor(limits: StoreLimits) {
    super(new SequenceIndex(), limits);
  }

  /** Nothing to write: appends are as safe as this process. */
  flush(): void {
    this.assertOpen();
  }

  protected storeMessage(seq: number, subject: string, header: Uint8Array, data: Uint8Array, timeNs: bigint): void {
    const bytes = new Uint8Array(header.length + data.length);
    bytes.set(header);
    bytes.set(data, header.length);
    this.messages.set(seq, { subject, bytes, headerLength: header.length, timeHigh: int64High(timeNs), timeLow: int64Low(timeNs) });
    this.index.add(seq, subject, timeNs, memoryStoreMessageSize(subject.length, header.length, data.length));
  }

  /** A copy, so that an erase or the caller never changes what the other holds. */
  protected readMessage(seq: number): StoredMessage {
    const message = this.messages.get(seq)!;
    const bytes = message.bytes.slice();
    return {
      seq,
      subject: message.subject,
      timeNs: int64FromHalves(message.timeHigh, message.timeLow),
      header: bytes.subarray(0, message.headerLength),
      data: bytes.subarray(message.headerLength),
    };
  }

  protected peekMessage(seq: number): PeekedMessage {
    const m = this.messages.get(seq)!;
    return this.peeked.fill(seq, m.subject, m.bytes, 0, m.headerLength, m.bytes.length, m.timeHigh, m.timeLow);
  }

  protected discardMessage(seq: number, erase: boolean): void {
    if (erase) {
      randomFillSync(this.messages.get(seq)!.bytes);
    }
    this.messages.delete(seq);
  }

  /** Removals live as long as the messages do: nothing to persist. */
  protected persistRemoval(): void {}

  protected persistFirstSeq(): void {}

  protected release(): void {
    this.messages.clear();
  }

  protected removeStorage(): void {}
}

interface HeldMessage {
  subject: string;
  bytes: Uint8Array;
  headerLength: number;
  timeHigh: number;
  timeLow: number;
}
