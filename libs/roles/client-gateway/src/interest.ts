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
  /** The subject whose MSG/HMSG heads are kept encoded (see headFor). */
  private headSubject: string | undefined;
  /** A subject delivered once since the last change: kept if the next delivery has it too. */
  private candidateSubject: string | undefined;
  private msgHead: Buffer | undefined;
  private hmsgHead: Buffer | undefined;

  constructor(
    readonly subject: string,
    readonly queue: string | undefined,
    readonly sid: string,
    readonly conn: ClientConnection,
  ) {
    if (!subjectHasWildcard(subject)) this.headSubject = subject;
  }

  /** A client that published the message gets it back only with echo on. */
  accepts(origin: RouterOrigin): boolean {
    const conn = this.conn;
    return !conn.isClosed && (origin !== conn || conn.echo);
  }

  deliver(subject: string, reply: string | undefined, headerSize: number, data: Uint8Array, start: number, end: number): void {
    this.conn.deliver(this, subject, reply, headerSize, data, start, end);
  }

  /**
   * The encoded `MSG <subject> <sid> ` (or `HMSG ...`) of a delivery on `subject` when it is
   * kept, else undefined (the caller encodes it inline). Kept: a SUB without wildcards' own
   * subject, and a subject delivered twice in a row (a JetStream push consumer shows its
   * stream's subjects on one deliver subject); a wildcard SUB's changing subjects cost no encoding.
   */
  headFor(subject: string, withHeaders: boolean): Buffer | undefined {
    if (subject !== this.headSubject) {
      if (subject !== this.candidateSubject) {
        this.candidateSubject = subject;
        return undefined;
      }
      this.headSubject = subject;
      this.msgHead = this.hmsgHead = undefined;
    }
    return withHeaders ? (this.hmsgHead ??= encodeDeliveryHead(true, subject, this.sid)) : (this.msgHead ??= encodeDeliveryHead(false, subject, this.sid));
  }
}
