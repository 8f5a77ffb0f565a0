import { encodeDeliveryHead } from '@nats-ts/protocol';
import { subjectHasWildcard, type RouterOrigin, type SubscriberEntry } from '@nats-ts/routing';
import type { ClientConnection } from './client-connection.js';

/** A client's SUB: its entry in the account's interest router. */
export class ClientSubscription implements SubscriberEntry {
  readonly kind = 'client';
  readonly link = undefined;
  owner = '';
  weight = 1;
  /** Auto-unsubscribe limit from `UNSUB <sid> <max>`; 0 = none. */
  max = 0;
  delivered = 0;
  /** Deliveries to a subject without wildcards always carry that subject: their MSG/HMSG heads are encoded once. */
  readonly literal: boolean;
  private msgHead: Buffer | undefined;
  private hmsgHead: Buffer | undefined;

  constructor(
    readonly subject: string,
    readonly queue: string | undefined,
    readonly sid: string,
    readonly conn: ClientConnection,
  ) {
    this.literal = !subjectHasWildcard(subject);
  }

  /** A client that published the message gets it back only with echo on. */
  accepts(origin: RouterOrigin): boolean {
    const conn = this.conn;
    return !conn.isClosed && (origin !== conn || conn.echo);
  }

  deliver(subject: string, reply: string | undefined, headerSize: number, data: Uint8Array, start: number, end: number): void {
    this.conn.deliver(this, subject, reply, headerSize, data, start, end);
  }

  get msgDeliveryHead(): Buffer {
    return (this.msgHead ??= encodeDeliveryHead(false, this.subject, this.sid));
  }

  get hmsgDeliveryHead(): Buffer {
    return (this.hmsgHead ??= encodeDeliveryHead(true, this.subject, this.sid));
  }
}
