import type { Logger } from '@nats-ts/observability';
import { InterestRouter, type RouterEntry, type RouterOrigin } from '@nats-ts/routing';
import { InterestTable } from './interest-table.js';
import { MemberEntries, memberOrigin } from './member-entries.js';
import type { RemoteMember } from './remote-peer.js';
import type { BusEndpoint, BusHandlers, BusMessage, InterestChange, JoinInfo, MemberInfo, MemberState } from './types.js';

/** How the members of this process reach the rest of the bus. */
export interface RemoteSide {
  /** A local member joined: tell the other processes (its hello and interest). */
  joined(endpoint: LocalEndpoint): void;
  interest(endpoint: LocalEndpoint, change: InterestChange): void;
  state(endpoint: LocalEndpoint, state: MemberState): void;
  left(endpoint: LocalEndpoint): void;
  sendRemote(from: MemberInfo, to: string, msg: BusMessage): void;
  /** Members of other processes that our members currently see. */
  remoteMembers(): readonly RemoteMember[];
}

/** For a process with no other processes to reach (the in-process bus). */
export const NO_REMOTE_SIDE: RemoteSide = {
  joined: () => undefined,
  interest: () => undefined,
  state: () => undefined,
  left: () => undefined,
  sendRemote: () => undefined,
  remoteMembers: () => [],
};

const NO_QUEUES: readonly string[] = [];

export function describeMember(member: MemberInfo): string {
  return `${member.memberId} (${member.role} on ${member.nodeId})`;
}

class LocalEndpoint implements BusEndpoint {
  readonly interest = new InterestTable();
  state: MemberState | undefined;
  closed = false;

  constructor(
    private readonly registry: LocalMembers,
    readonly self: MemberInfo,
    readonly handlers: BusHandlers,
    readonly routed: boolean,
  ) {}

  get router(): InterestRouter {
    return this.registry.router;
  }

  members(): readonly MemberInfo[] {
    return this.registry.memberInfos(this);
  }

  subscribe(account: string, entry: RouterEntry): void {
    entry.owner = this.self.memberId;
    this.registry.router.insert(account, entry);
    this.announceInterest({ account, subject: entry.subject, queue: entry.queue, weight: contribution(entry), add: true });
  }

  unsubscribe(account: string, entry: RouterEntry): boolean {
    if (!this.registry.router.remove(account, entry)) return false;
    this.announceInterest({ account, subject: entry.subject, queue: entry.queue, weight: contribution(entry), add: false });
    return true;
  }

  reweigh(account: string, entry: RouterEntry, weight: number): void {
    const before = contribution(entry);
    entry.weight = weight;
    const delta = contribution(entry) - before;
    if (delta !== 0) this.announceInterest({ account, subject: entry.subject, queue: entry.queue, weight: Math.abs(delta), add: delta > 0 });
  }

  announceInterest(change: InterestChange): void {
    if (this.closed) return;
    const delivered = this.interest.apply(change);
    if (delivered !== undefined) this.registry.broadcastInterest(this, delivered);
  }

  send(toMemberId: string, msg: BusMessage): void {
    if (!this.closed) this.registry.send(this, toMemberId, msg);
  }

  announceState(state: MemberState): void {
    if (this.closed) return;
    this.state = state;
    this.registry.broadcastState(this, state);
  }

  close(): Promise<void> {
    if (!this.closed) this.registry.leave(this);
    return Promise.resolve();
  }
}

export type { LocalEndpoint };

/** What an entry adds to its member's announced count: 1 for plain interest, a queue entry's members. */
function contribution(entry: RouterEntry): number {
  return entry.queue === undefined || entry.queue === '' ? 1 : Math.max(1, entry.weight);
}

/**
 * The members of one process. Among themselves they meet directly: synchronous calls, the same
 * objects, nothing encoded. Members of other processes (TCP bus) are reached through RemoteSide.
 */
export class LocalMembers {
  // Replaced, never mutated, so iterations survive handlers that join or leave.
  private endpoints: readonly LocalEndpoint[] = [];
  private readonly byId = new Map<string, LocalEndpoint>();
  private assignedIds = 0;
  /** The one router of the process, shared by its routed members. */
  readonly router = new InterestRouter();
  /** Router entries for the interest of members that are not routed (other processes', announcing roles'). */
  private readonly memberEntries = new MemberEntries(this.router, (from, to, msg) => this.sendFrom(from, to, msg));
  private readonly origins = new Map<string, RouterOrigin>();

  constructor(
    /** Names a member that joins without a memberId; `n` counts the joins. */
    private readonly assignId: (info: JoinInfo, n: number) => string,
    private readonly logger: Logger,
    private readonly remote: RemoteSide,
  ) {}

  all(): readonly LocalEndpoint[] {
    return this.endpoints;
  }

  join(info: JoinInfo, handlers: BusHandlers): Promise<BusEndpoint> {
    const memberId = info.memberId ?? this.assignId(info, ++this.assignedIds);
    if (this.byId.has(memberId)) return Promise.reject(new Error(`bus: member ${memberId} already joined`));
    const self: MemberInfo = { memberId, nodeId: info.nodeId, role: info.role, version: info.version };
    const newcomer = new LocalEndpoint(this, self, handlers, info.routed === true);
    const existing = this.endpoints;
    this.endpoints = [...existing, newcomer];
    this.byId.set(memberId, newcomer);
    if (this.logger.isDebug) this.logger.debug(`bus: member joined ${describeMember(self)}`);

    // The newcomer learns the current members and their interest before they learn of it, so
    // whatever they send it in their memberJoined handlers comes from members it knows.
    for (const member of existing) {
      if (!member.closed) this.introduce(newcomer, member.self, member.interest.snapshot(), member.state, member);
    }
    for (const member of this.remote.remoteMembers()) this.introduce(newcomer, member.info, [...member.interest.values()], member.state);
    for (const member of existing) {
      if (member.closed || newcomer.closed) continue;
      this.call(member, 'memberJoined', () => member.handlers.memberJoined(self));
    }
    this.remote.joined(newcomer);
    return Promise.resolve(newcomer);
  }

  memberInfos(except: LocalEndpoint): MemberInfo[] {
    const infos: MemberInfo[] = [];
    for (const member of this.endpoints) if (member !== except) infos.push(member.self);
    for (const member of this.remote.remoteMembers()) infos.push(member.info);
    return infos;
  }

  broadcastInterest(from: LocalEndpoint, change: InterestChange): void {
    if (!from.routed) this.memberEntries.apply(from.self, change);
    for (const member of this.endpoints) {
      if (member === from || member.closed) continue;
      if (from.closed) return;
      this.tellInterest(member, from.self, change);
    }
    this.remote.interest(from, change);
  }

  broadcastState(from: LocalEndpoint, state: MemberState): void {
    for (const member of this.endpoints) {
      if (from.closed) return;
      if (member !== from) this.tellState(member, from.self, state);
    }
    this.remote.state(from, state);
  }

  /** A router link to a member sending on behalf of the routed member a message entered through. */
  private sendFrom(fromMemberId: string, toMemberId: string, msg: BusMessage): void {
    const from = this.byId.get(fromMemberId);
    if (from !== undefined && !from.closed) this.send(from, toMemberId, msg);
  }

  send(from: LocalEndpoint, toMemberId: string, msg: BusMessage): void {
    const target = this.byId.get(toMemberId);
    if (target === undefined) this.remote.sendRemote(from.self, toMemberId, msg);
    else this.deliverTo(target, from.self, msg);
  }

  /** A message from a member of another process. */
  deliver(from: MemberInfo, toMemberId: string, msg: BusMessage): void {
    const target = this.byId.get(toMemberId);
    if (target !== undefined) this.deliverTo(target, from, msg);
  }

  remoteJoined(member: MemberInfo, interests: readonly InterestChange[], state: MemberState | undefined): void {
    for (const change of interests) this.memberEntries.apply(member, change);
    for (const local of this.endpoints) this.introduce(local, member, interests, state);
  }

  remoteLeft(member: MemberInfo): void {
    this.memberEntries.removeMember(member.memberId);
    this.origins.delete(member.memberId);
    for (const local of this.endpoints) {
      if (!local.closed) this.call(local, 'memberLeft', () => local.handlers.memberLeft(member));
    }
  }

  remoteInterest(member: MemberInfo, change: InterestChange): void {
    this.memberEntries.apply(member, change);
    for (const local of this.endpoints) this.tellInterest(local, member, change);
  }

  remoteState(member: MemberInfo, state: MemberState): void {
    for (const local of this.endpoints) this.tellState(local, member, state);
  }

  leave(member: LocalEndpoint): void {
    member.closed = true;
    this.byId.delete(member.self.memberId);
    this.endpoints = this.endpoints.filter((m) => m !== member);
    member.interest.clear();
    if (!member.routed) this.memberEntries.removeMember(member.self.memberId);
    this.origins.delete(member.self.memberId);
    if (this.logger.isDebug) this.logger.debug(`bus: member left ${describeMember(member.self)}`);
    for (const other of this.endpoints) {
      if (!other.closed) this.call(other, 'memberLeft', () => other.handlers.memberLeft(member.self));
    }
    this.remote.left(member);
  }

  closeAll(): void {
    for (const member of this.endpoints) this.leave(member);
  }

  /** memberJoined, then the member's interest and state; stops if either side leaves meanwhile. */
  private introduce(
    to: LocalEndpoint,
    member: MemberInfo,
    interests: readonly InterestChange[],
    state: MemberState | undefined,
    source?: LocalEndpoint,
  ): void {
    if (to.closed) return;
    this.call(to, 'memberJoined', () => to.handlers.memberJoined(member));
    for (const change of interests) {
      if (to.closed || source?.closed) return;
      this.tellInterest(to, member, change);
    }
    if (state !== undefined && !source?.closed) this.tellState(to, member, state);
  }

  private tellState(to: LocalEndpoint, member: MemberInfo, state: MemberState): void {
    const handler = to.handlers.memberState;
    if (to.closed || handler === undefined) return;
    this.call(to, 'memberState', () => handler.call(to.handlers, member, state));
  }

  private tellInterest(to: LocalEndpoint, member: MemberInfo, change: InterestChange): void {
    const handler = to.handlers.interest;
    if (to.closed || handler === undefined) return;
    this.call(to, 'interest', () => handler.call(to.handlers, member, change));
  }

  private deliverTo(target: LocalEndpoint, from: MemberInfo, msg: BusMessage): void {
    try {
      if (target.routed) this.deliverToEntries(target, from, msg);
      else target.handlers.message?.(from, msg);
    } catch (err) {
      this.handlerFailed(target, 'message', err);
    }
  }

  /** A message for a routed member: to its entries, and to one of each queue group the sender chose it for. */
  private deliverToEntries(target: LocalEndpoint, from: MemberInfo, msg: BusMessage): void {
    const account = this.router.accounts.get(msg.account);
    if (account === undefined) return;
    const data = msg.data;
    let origin = this.origins.get(from.memberId);
    if (origin === undefined) {
      origin = memberOrigin(from);
      this.origins.set(from.memberId, origin);
    }
    this.router.deliverRouted(account, origin, target.self.memberId, msg.queues ?? NO_QUEUES, msg.subject, msg.reply, msg.headerSize, data, 0, data.length, msg.traceparent);
  }

  // One failing member must not stop the others being told.
  private call(member: LocalEndpoint, event: string, callback: () => void): void {
    try {
      callback();
    } catch (err) {
      this.handlerFailed(member, event, err);
    }
  }

  private handlerFailed(member: LocalEndpoint, event: string, err: unknown): void {
    const reason = err instanceof Error ? err.message : String(err);
    this.logger.error(`bus: ${event} handler of ${describeMember(member.self)} failed: ${reason}`);
  }
}
