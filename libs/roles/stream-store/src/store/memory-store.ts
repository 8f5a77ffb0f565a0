import { randomFillSync } from 'node:crypto';
import { IndexedStreamStore } from './indexed-stream-store.js';
import { memoryStoreMessageSize } from './message-size.js';
import { SequenceIndex } from './sequence-index.js';
import type { StoreLimits, StoredMessage } from './stream-store.js';

/** A stream kept in this process only (storage 'memory'); gone with the process. */
export class MemoryStore extends IndexedStreamStore {
  readonly storage = 'memory' as const;
  /** Header and data of each message, one copy per message (header first). */
  private readonly messages = new Map<number, StoredMessage>();

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
    const message = { seq, subject, timeNs, header: bytes.subarray(0, header.length), data: bytes.subarray(header.length) };
    this.messages.set(seq, message);
    this.index.add(seq, subject, timeNs, memoryStoreMessageSize(subject.length, header.length, data.length));
  }

  /** A copy, so that an erase or the caller never changes what the other holds; transient: the held message. */
  protected readMessage(seq: number, transient: boolean): StoredMessage {
    const message = this.messages.get(seq)!;
    if (transient) return message;
    const headerLength = message.header.length;
    const bytes = new Uint8Array(headerLength + message.data.length);
    bytes.set(message.header);
    bytes.set(message.data, headerLength);
    return { seq, subject: message.subject, timeNs: message.timeNs, header: bytes.subarray(0, headerLength), data: bytes.subarray(headerLength) };
  }

  protected discardMessage(seq: number, erase: boolean): void {
    if (erase) {
      const message = this.messages.get(seq)!;
      randomFillSync(message.header);
      randomFillSync(message.data);
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
