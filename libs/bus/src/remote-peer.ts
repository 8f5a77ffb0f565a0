import type { BusLink } from './tcp-link.js';
import type { InterestChange, MemberInfo, MemberState } from './types.js';

/** A member hosted by another process, as its peer announced it. */
export class RemoteMember {
  /** Its current interest by (account, subject, queue), as the changes a newcomer needs. */
  readonly interest = new Map<string, InterestChange>();
  /** Its latest announced state, if any. */
  state: MemberState | undefined;

  constructor(
    readonly info: MemberInfo,
    readonly peer: RemotePeer,
  ) {}

  /** Records a delivered change (the announcer's current count for the key). */
  record(change: InterestChange): void {
    const key = change.queue === undefined ? `${change.account} ${change.subject}` : `${change.account} ${change.subject} ${change.queue}`;
    if (change.add) this.interest.set(key, change);
    else this.interest.delete(key);
  }
}

/**
 * Another bus process. We send to it over the link we dialed (`outbound`) and hear from it over
 * the link it dialed (`inbound`). Its members are visible to our members only while both links
 * are up: before that we could not send to them, after it their interest is stale.
 */
export class RemotePeer {
  inbound: BusLink | undefined;
  outbound: BusLink | undefined;
  /** Its members have been announced to ours (memberJoined) and not withdrawn since. */
  visible = false;
  readonly members = new Map<string, RemoteMember>();

  constructor(
    readonly id: string,
    public url: string,
  ) {}

  /** Both links are up and the peer's initial member announcement has arrived. */
  get linked(): boolean {
    return this.inbound !== undefined && this.inbound.synced && this.outbound !== undefined;
  }

  describe(): string {
    return `${this.id} at ${this.url}`;
  }
}
