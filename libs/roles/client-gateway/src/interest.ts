import { encodeDeliveryHead } from '@nats-ts/protocol';
import { subjectHasWildcard, type SublistEntry } from '@nats-ts/routing';
import type { ClientConnection } from './client-connection.js';

/** A client's SUB: an entry in its account's sublist. */
export class ClientSubscription implements SublistEntry {
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

  get msgDeliveryHead(): Buffer {
    return (this.msgHead ??= encodeDeliveryHead(false, this.subject, this.sid));
  }

  get hmsgDeliveryHead(): Buffer {
    return (this.hmsgHead ??= encodeDeliveryHead(true, this.subject, this.sid));
  }
}

/** Interest announced on the bus by another member (a route, gateway or leaf role). */
export class MemberInterest implements SublistEntry {
  constructor(
    readonly subject: string,
    readonly queue: string | undefined,
    readonly memberId: string,
    public weight: number,
    /** Announced by a supercluster-gateway: the members are in another cluster. */
    readonly viaGateway: boolean,
  ) {}
}

export type Interest = ClientSubscription | MemberInterest;
