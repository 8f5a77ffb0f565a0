import type { SublistEntry } from '@nats-ts/routing';
import type { ClientConnection } from './client-connection.js';

/** A client's SUB: an entry in its account's sublist. */
export class ClientSubscription implements SublistEntry {
  /** Auto-unsubscribe limit from `UNSUB <sid> <max>`; 0 = none. */
  max = 0;
  delivered = 0;

  constructor(
    readonly subject: string,
    readonly queue: string | undefined,
    readonly sid: string,
    readonly conn: ClientConnection,
  ) {}
}

/** Interest announced on the bus by another member (a route, gateway or leaf role). */
export class MemberInterest implements SublistEntry {
  constructor(
    readonly subject: string,
    readonly queue: string | undefined,
    readonly memberId: string,
    public weight: number,
  ) {}
}

export type Interest = ClientSubscription | MemberInterest;
