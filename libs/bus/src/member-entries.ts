import type { InterestKind, InterestRouter, LinkEntry, RouterLink, RouterOrigin } from '@nats-ts/routing';
import type { BusMessage, InterestChange, MemberInfo, Role } from './types.js';

/** What a member's interest is, for the router's policies, by the role that announced it. */
const KIND_OF_ROLE: Readonly<Record<Role, InterestKind>> = {
  // Another process's client-gateway or stream-store: this server's own subscribers, elsewhere.
  'client-gateway': 'node',
  'stream-store': 'node',
  'route-mesh': 'route',
  'supercluster-gateway': 'gateway',
  'leaf-proxy': 'leaf',
};

/** Where a message a member sent comes from, by its role. */
const ORIGIN_KIND_OF_ROLE: Readonly<Record<Role, InterestKind>> = {
  'client-gateway': 'node',
  'stream-store': 'internal',
  'route-mesh': 'route',
  'supercluster-gateway': 'gateway',
  'leaf-proxy': 'leaf',
};

/** A member as the origin of the messages it sends. */
export function memberOrigin(member: MemberInfo): RouterOrigin {
  return { originKind: ORIGIN_KIND_OF_ROLE[member.role], originMember: member.memberId };
}

/** A bus member as a router link: a message for it is sent to it on the bus, naming its queue groups. */
class MemberLink implements RouterLink {
  mark = 0;
  readonly queueScratch: string[] = [];

  constructor(
    readonly memberId: string,
    private readonly send: (fromMemberId: string, toMemberId: string, msg: BusMessage) => void,
  ) {}

  sendRouted(
    account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    headerSize: number,
    data: Uint8Array,
    start: number,
    end: number,
    traceparent: string | undefined,
    origin: RouterOrigin,
  ): void {
    this.send(origin.originMember, this.memberId, {
      account,
      subject,
      reply,
      data: data.subarray(start, end),
      headerSize,
      originMemberId: origin.originMember,
      // The scratch list is reused for the next message: the receiver gets its own copy.
      queues: queues.length > 0 ? queues.slice() : undefined,
      traceparent,
    });
  }
}

class MemberEntry implements LinkEntry {
  owner: string;

  constructor(
    readonly subject: string,
    readonly queue: string | undefined,
    readonly kind: InterestKind,
    readonly link: MemberLink,
    public weight: number,
  ) {
    this.owner = link.memberId;
  }
}

/**
 * The interest of bus members that do not share this process's router (members of other
 * processes, roles that announce interest rather than subscribe): one router entry per member
 * and (account, subject, queue), reached by sending the member the message on the bus.
 */
export class MemberEntries {
  private readonly entries = new Map<string, { account: string; entry: MemberEntry }>();
  private readonly links = new Map<string, MemberLink>();

  constructor(
    private readonly router: InterestRouter,
    /** Sends a message on the bus from one member to another. */
    private readonly send: (fromMemberId: string, toMemberId: string, msg: BusMessage) => void,
  ) {}

  /** A member's current count for a key, as the bus delivers it. */
  apply(member: MemberInfo, change: InterestChange): void {
    const key = `${member.memberId} ${change.account} ${change.subject} ${change.queue ?? ''}`;
    const existing = this.entries.get(key);
    if (!change.add) {
      if (existing === undefined) return;
      this.router.remove(existing.account, existing.entry);
      this.entries.delete(key);
      return;
    }
    if (existing !== undefined) {
      existing.entry.weight = change.weight;
      return;
    }
    const entry = new MemberEntry(change.subject, change.queue === '' ? undefined : change.queue, KIND_OF_ROLE[member.role], this.linkOf(member.memberId), change.weight);
    try {
      this.router.insert(change.account, entry);
    } catch {
      return; // an invalid subject: no interest
    }
    this.entries.set(key, { account: change.account, entry });
  }

  /** The member left: its interest is gone. */
  removeMember(memberId: string): void {
    const link = this.links.get(memberId);
    if (link === undefined) return;
    this.links.delete(memberId);
    for (const [key, { account, entry }] of this.entries) {
      if (entry.link !== link) continue;
      this.router.remove(account, entry);
      this.entries.delete(key);
    }
  }

  private linkOf(memberId: string): MemberLink {
    let link = this.links.get(memberId);
    if (link === undefined) {
      link = new MemberLink(memberId, this.send);
      this.links.set(memberId, link);
    }
    return link;
  }
}
