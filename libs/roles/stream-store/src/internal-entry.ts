import type { SubscriberEntry } from '@nats-ts/routing';

/** A message handler inside the server. */
export interface MessageTarget {
  receive(subject: string, reply: string | undefined, headerSize: number, data: Uint8Array, start: number, end: number): void;
}

/** A subscriber inside the server: the API subjects of an account, a subject of a stream, a snapshot's acks. */
export class InternalEntry implements SubscriberEntry {
  readonly kind = 'internal';
  readonly link = undefined;
  owner = '';
  weight = 1;

  constructor(
    readonly subject: string,
    private readonly target: MessageTarget,
    /** A queue group: of the entries in it, across the cluster and the node, one gets each message. */
    readonly queue: string | undefined = undefined,
  ) {}

  accepts(): boolean {
    return true;
  }

  deliver(subject: string, reply: string | undefined, headerSize: number, data: Uint8Array, start: number, end: number): void {
    this.target.receive(subject, reply, headerSize, data, start, end);
  }
}
