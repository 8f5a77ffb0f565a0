import { Logger } from '@nats-ts/observability';
import { InterestTable } from './interest-table.js';
import type { BusEndpoint, BusHandlers, BusMessage, BusTransport, InterestChange, JoinInfo, MemberInfo, MemberState } from './types.js';

export interface InProcessBusOptions {
  /** Where handler failures and (at debug level) membership changes are logged; stderr by default. */
  logger?: Logger;
}

function describeMember(member: MemberInfo): string {
  return `${member.memberId} (${member.role} on ${member.nodeId})`;
}

class InProcessEndpoint implements BusEndpoint {
  readonly interest = new InterestTable();
  state: MemberState | undefined;
  closed = false;

  constructor(
    private readonly bus: Registry,
    readonly self: MemberInfo,
    readonly handlers: BusHandlers,
  ) {}

  members(): readonly MemberInfo[] {
    return this.bus.memberInfos(this);
  }

  announceInterest(change: InterestChange): void {
    if (this.closed) return;
    const delivered = this.interest.apply(change);
    if (delivered !== undefined) this.bus.broadcastInterest(this, delivered);
  }

  send(toMemberId: string, msg: BusMessage): void {
    if (!this.closed) this.bus.deliver(this, toMemberId, msg);
  }

  announceState(state: MemberState): void {
    if (this.closed) return;
    this.state = state;
    this.bus.broadcastState(this, state);
  }

  close(): Promise<void> {
    if (!this.closed) this.bus.leave(this);
    return Promise.resolve();
  }
}

// The members and their bookkeeping, shared by the bus and its endpoints (kept out of the public API).
class Registry {
  // Replaced, never mutated, so a broadcast can iterate while handlers join or leave.
  private endpoints: readonly InProcessEndpoint[] = [];
  private readonly byId = new Map<string, InProcessEndpoint>();
  private assignedIds = 0;

  constructor(private readonly logger: Logger) {}

  join(info: JoinInfo, handlers: BusHandlers): Promise<BusEndpoint> {
    const memberId = info.memberId ?? `${info.nodeId}/${info.role}/${++this.assignedIds}`;
    if (this.byId.has(memberId)) return Promise.reject(new Error(`bus: member ${memberId} already joined`));
    const self: MemberInfo = { memberId, nodeId: info.nodeId, role: info.role, version: info.version };
    const newcomer = new InProcessEndpoint(this, self, handlers);
    const existing = this.endpoints;
    this.endpoints = [...existing, newcomer];
    this.byId.set(memberId, newcomer);
    if (this.logger.isDebug) this.logger.debug(`bus: member joined ${describeMember(self)}`);

    // The newcomer learns the current members and their interest before they learn of it, so
    // whatever they send it in their memberJoined handlers comes from members it knows.
    for (const member of existing) {
      if (member.closed || newcomer.closed) continue;
      this.call(newcomer, 'memberJoined', () => handlers.memberJoined(member.self));
      for (const change of member.interest.snapshot()) {
        if (member.closed || newcomer.closed) break;
        this.call(newcomer, 'interest', () => handlers.interest(member.self, change));
      }
      const state = member.state;
      if (state !== undefined && !member.closed && !newcomer.closed && handlers.memberState !== undefined) {
        this.call(newcomer, 'memberState', () => handlers.memberState!(member.self, state));
      }
    }
    for (const member of existing) {
      if (member.closed || newcomer.closed) continue;
      this.call(member, 'memberJoined', () => member.handlers.memberJoined(self));
    }
    return Promise.resolve(newcomer);
  }

  /** The members other than `except`. */
  memberInfos(except: InProcessEndpoint): MemberInfo[] {
    const infos: MemberInfo[] = [];
    for (const member of this.endpoints) if (member !== except) infos.push(member.self);
    return infos;
  }

  broadcastInterest(from: InProcessEndpoint, change: InterestChange): void {
    for (const member of this.endpoints) {
      if (member === from || member.closed) continue;
      if (from.closed) return;
      this.call(member, 'interest', () => member.handlers.interest(from.self, change));
    }
  }

  broadcastState(from: InProcessEndpoint, state: MemberState): void {
    for (const member of this.endpoints) {
      if (member === from || member.closed || member.handlers.memberState === undefined) continue;
      if (from.closed) return;
      this.call(member, 'memberState', () => member.handlers.memberState!(from.self, state));
    }
  }

  deliver(from: InProcessEndpoint, toMemberId: string, msg: BusMessage): void {
    const target = this.byId.get(toMemberId);
    if (target === undefined) return;
    try {
      target.handlers.message(from.self, msg);
    } catch (err) {
      this.handlerFailed(target, 'message', err);
    }
  }

  leave(member: InProcessEndpoint): void {
    member.closed = true;
    this.byId.delete(member.self.memberId);
    this.endpoints = this.endpoints.filter((m) => m !== member);
    member.interest.clear();
    if (this.logger.isDebug) this.logger.debug(`bus: member left ${describeMember(member.self)}`);
    for (const other of this.endpoints) {
      if (!other.closed) this.call(other, 'memberLeft', () => other.handlers.memberLeft(member.self));
    }
  }

  // Membership and interest callbacks: one failing member must not stop the others being told.
  private call(member: InProcessEndpoint, event: string, callback: () => void): void {
    try {
      callback();
    } catch (err) {
      this.handlerFailed(member, event, err);
    }
  }

  private handlerFailed(member: InProcessEndpoint, event: string, err: unknown): void {
    const reason = err instanceof Error ? err.message : String(err);
    this.logger.error(`bus: ${event} handler of ${describeMember(member.self)} failed: ${reason}`);
  }
}

/**
 * The bus between role services in one process. Everything is synchronous and passes objects
 * as they are: a message reaches the receiver's handler inside the sender's send() call, with
 * the sender's buffers (valid only during that call), with no encoding and no copies.
 */
export class InProcessBus implements BusTransport {
  private readonly registry: Registry;

  constructor(options: InProcessBusOptions = {}) {
    this.registry = new Registry(options.logger ?? new Logger());
  }

  join(info: JoinInfo, handlers: BusHandlers): Promise<BusEndpoint> {
    return this.registry.join(info, handlers);
  }
}
