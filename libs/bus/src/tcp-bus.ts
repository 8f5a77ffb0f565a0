import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Logger, Tracing } from '@nats-ts/observability';
import { traceBusReceive, traceBusSend } from './bus-tracing.js';
import { DialTarget, type DialEvents } from './dial-target.js';
import { LocalMembers, type LocalEndpoint } from './local-members.js';
import { normalizeBusUrl, type Membership } from './membership.js';
import { RemoteMember, RemotePeer } from './remote-peer.js';
import type { BusFrame } from './schema.js';
import { BUS_PROTOCOL, BusLink, type LinkEvents, type LinkSettings, type PeerHello } from './tcp-link.js';
import type { BusEndpoint, BusHandlers, BusMessage, BusTransport, InterestChange, JoinInfo, MemberInfo } from './types.js';
import { FlushQueue, joinHostPort } from '@nats-ts/base';

export interface TcpBusOptions {
  /** Where to accept bus connections; port 0 or -1 picks a free port. */
  listen: { host: string; port: number };
  /**
   * host:port the other peers dial. Defaults to the listen address; a wildcard listen host
   * (0.0.0.0, ::) is replaced by this host's first non-internal IPv4 address.
   */
  advertise?: string;
  membership: Membership;
  /** Interval of heartbeats on each link (default 1 s). */
  heartbeatMs?: number;
  /** A peer silent this long is dropped with its members and their interest (default 5 s). */
  memberTimeoutMs?: number;
  /** Output allowed to pile up on one link before it is closed as a slow consumer (default 64 MiB). */
  maxPendingBytes?: number;
  /** How long start() waits for the peers known at start to link up (default 3 s). */
  joinTimeoutMs?: number;
  logger?: Logger;
  /** Spans for the hops of traced messages (default: off). */
  tracing?: Tracing;
}

/** One linked peer, for monitoring. */
export interface BusPeerStatus {
  peerId: string;
  url: string;
  inbound: boolean;
  outbound: boolean;
  /** Both links up and synced: its members are visible to ours. */
  linked: boolean;
  members: MemberInfo[];
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function randomPeerId(): string {
  let id = '';
  for (const b of randomBytes(10)) id += BASE32[b & 31];
  return id;
}

/**
 * The bus between processes. Members in this process meet as on the in-process bus (directly,
 * nothing encoded); members of other processes are reached over TCP. Each process ("peer")
 * dials every other peer it learns of from its Membership (or from a peer that dialed it) and
 * sends only on links it dialed, so interest and messages go from member to member directly,
 * with no central hop. Frames are length-delimited protobuf (bus-proto.ts), batched per
 * event-loop turn. A peer silent for memberTimeoutMs is dropped: its members leave and their
 * interest is removed.
 */
export class TcpBus implements BusTransport, LinkEvents, DialEvents {
  readonly peerId = randomPeerId();
  private readonly logger: Logger;
  private readonly tracing: Tracing;
  private readonly heartbeatMs: number;
  private readonly memberTimeoutMs: number;
  private readonly joinTimeoutMs: number;
  private readonly settings: LinkSettings;
  private readonly locals: LocalMembers;
  private readonly peers = new Map<string, RemotePeer>();
  private readonly remoteMembers = new Map<string, RemoteMember>();
  private readonly links = new Set<BusLink>();
  private readonly linkPeers = new Map<BusLink, RemotePeer>();
  private readonly linkTargets = new Map<BusLink, DialTarget>();
  private readonly targets = new Map<string, DialTarget>();
  private membershipUrls: ReadonlySet<string> = new Set();
  private server: Server | undefined;
  private selfHello: PeerHello | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private settledWaiter: (() => void) | undefined;
  private closing = false;

  constructor(private readonly options: TcpBusOptions) {
    this.logger = options.logger ?? new Logger();
    this.tracing = options.tracing ?? Tracing.off;
    this.heartbeatMs = options.heartbeatMs ?? 1_000;
    this.memberTimeoutMs = options.memberTimeoutMs ?? 5_000;
    this.joinTimeoutMs = options.joinTimeoutMs ?? 3_000;
    this.settings = { scheduler: new FlushQueue(), maxPendingBytes: options.maxPendingBytes ?? 64 * 1024 * 1024 };
    this.locals = new LocalMembers((_info, n) => `${this.peerId}.${n}`, this.logger, {
      joined: (endpoint) => this.forEachOutbound((link) => this.sendMember(link, endpoint)),
      interest: (endpoint, change) =>
        this.forEachOutbound((link) => link.sendFrame({ kind: 'interest', change, memberId: endpoint.self.memberId })),
      state: (endpoint, state) => this.forEachOutbound((link) => link.sendFrame({ kind: 'state', state, memberId: endpoint.self.memberId })),
      left: (endpoint) => this.forEachOutbound((link) => link.sendFrame({ kind: 'gone', memberId: endpoint.self.memberId })),
      sendRemote: (from, to, msg) => this.sendRemote(from, to, msg),
      remoteMembers: () => this.visibleRemoteMembers(),
    });
  }

  /** host:port the other peers dial (known once started). */
  get url(): string {
    return this.selfHello?.url ?? '';
  }

  /**
   * Listens, registers with the membership (waiting for it, e.g. for Redis to be reachable) and
   * waits, up to joinTimeoutMs, for the peers it lists to link up, so members that join next
   * see the node's current interest.
   */
  async start(): Promise<{ host: string; port: number; url: string }> {
    const { host, port } = this.options.listen;
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    const bound = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port < 0 ? 0 : port, host, () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
    const url = this.options.advertise !== undefined ? normalizeBusUrl(this.options.advertise) : joinHostPort(advertisedHost(host), bound);
    this.selfHello = { kind: 'peer', peerId: this.peerId, url, protocol: BUS_PROTOCOL };
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.heartbeatMs);
    this.heartbeatTimer.unref();
    this.logger.info(`Bus listening on ${joinHostPort(host, bound)} as peer ${this.peerId} (advertised as ${url})`);
    this.logger.info(`Bus membership: ${this.options.membership.description}`);
    await this.options.membership.start({ peerId: this.peerId, url }, (urls) => this.membershipChanged(urls));
    await this.waitSettled();
    return { host, port: bound, url };
  }

  join(info: JoinInfo, handlers: BusHandlers): Promise<BusEndpoint> {
    if (this.closing) return Promise.reject(new Error('bus: closed'));
    return this.locals.join(info, handlers);
  }

  /** The peers currently linked in either direction, for monitoring. */
  peerStatus(): BusPeerStatus[] {
    return [...this.peers.values()].map((peer) => ({
      peerId: peer.id,
      url: peer.url,
      inbound: peer.inbound !== undefined,
      outbound: peer.outbound !== undefined,
      linked: peer.visible,
      members: [...peer.members.values()].map((m) => m.info),
    }));
  }

  /** Leaves: local members leave (peers are told), the membership deregisters, links close. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.locals.closeAll();
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    for (const target of this.targets.values()) target.stop();
    await this.options.membership.stop().catch((err: Error) => this.logger.warn(`Bus membership: ${err.message}`));
    for (const link of [...this.links]) link.end('bus closing');
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // ---- accepting and dialing ----

  private accept(socket: Socket): void {
    if (this.closing || this.selfHello === undefined) {
      socket.destroy();
      return;
    }
    this.links.add(new BusLink(socket, 'inbound', this, this.settings, this.selfHello));
  }

  dialed(target: DialTarget, socket: Socket): BusLink {
    const link = new BusLink(socket, 'outbound', this, this.settings, this.selfHello!);
    this.links.add(link);
    this.linkTargets.set(link, target);
    return link;
  }

  dialFailed(target: DialTarget, reason: string): void {
    if (target.failures === 1) this.logger.warn(`Bus member at ${target.url} is unreachable (${reason}), retrying`);
    this.checkSettled();
  }

  redundant(target: DialTarget): boolean {
    const peer = target.peerId === undefined ? undefined : this.peers.get(target.peerId);
    return peer?.outbound !== undefined && this.linkTargets.get(peer.outbound) !== target;
  }

  private membershipChanged(urls: readonly string[]): void {
    this.membershipUrls = new Set(urls);
    this.refreshTargets();
  }

  /** Dials what the membership lists and what linked peers advertise; stops redialing the rest. */
  private refreshTargets(): void {
    if (this.closing) return;
    const wanted = new Set(this.membershipUrls);
    for (const peer of this.peers.values()) if (peer.inbound !== undefined) wanted.add(peer.url);
    wanted.delete(this.url);
    for (const url of wanted) {
      const existing = this.targets.get(url);
      if (existing !== undefined) {
        if (!existing.wanted) {
          existing.wanted = true;
          existing.dial();
        }
        continue;
      }
      const target = new DialTarget(url, this);
      this.targets.set(url, target);
      target.dial();
    }
    for (const [url, target] of this.targets) {
      if (wanted.has(url)) continue;
      target.stop();
      if (target.link === undefined) this.targets.delete(url);
    }
  }

  // ---- link events ----

  linkHello(link: BusLink, hello: PeerHello): void {
    if (hello.peerId === this.peerId) {
      const target = this.linkTargets.get(link);
      if (target !== undefined) target.self = true;
      link.close('connected to ourselves');
      return;
    }
    if (link.direction === 'inbound') {
      // A peer that reconnects replaces its old link (and the members announced on it).
      this.peers.get(hello.peerId)?.inbound?.close('replaced by a new connection');
      const peer = this.peerFor(hello);
      peer.inbound = link;
      this.linkPeers.set(link, peer);
      this.refreshTargets();
    } else {
      const target = this.linkTargets.get(link)!;
      target.peerId = hello.peerId;
      target.failures = 0;
      target.settled = true;
      const peer = this.peerFor(hello);
      if (peer.outbound !== undefined) {
        link.close(`duplicate: already linked to ${peer.id}`);
        return;
      }
      peer.outbound = link;
      this.linkPeers.set(link, peer);
      for (const endpoint of this.locals.all()) this.sendMember(link, endpoint);
      link.sendHeartbeat(this.peerId);
    }
    this.updateVisibility(this.linkPeers.get(link)!);
    this.checkSettled();
  }

  linkSynced(link: BusLink): void {
    const peer = this.linkPeers.get(link);
    if (peer === undefined || peer.inbound !== link) return;
    this.updateVisibility(peer);
    this.checkSettled();
  }

  linkFrame(link: BusLink, frame: BusFrame): void {
    const peer = this.linkPeers.get(link);
    if (peer === undefined || peer.inbound !== link) return;
    switch (frame.kind) {
      case 'hello': {
        this.removeRemoteMember(peer, frame.member.memberId);
        const member = new RemoteMember(frame.member, peer);
        peer.members.set(member.info.memberId, member);
        this.remoteMembers.set(member.info.memberId, member);
        if (peer.visible) this.locals.remoteJoined(member.info, [], undefined);
        return;
      }
      case 'gone':
        this.removeRemoteMember(peer, frame.memberId);
        return;
      case 'interest':
        this.remoteInterest(peer, frame.memberId, frame.change);
        return;
      case 'snapshot':
        for (const change of frame.interests) this.remoteInterest(peer, frame.memberId, change);
        return;
      case 'state': {
        const member = frame.memberId === undefined ? undefined : peer.members.get(frame.memberId);
        if (member === undefined) return;
        member.state = frame.state;
        if (peer.visible) this.locals.remoteState(member.info, frame.state);
        return;
      }
      default:
        link.close(`protocol error: unexpected ${frame.kind} frame`);
    }
  }

  linkMessage(link: BusLink, msg: BusMessage, from: string, to: string): void {
    const peer = this.linkPeers.get(link);
    if (peer === undefined || peer.inbound !== link) return;
    const sender = peer.members.get(from);
    if (sender === undefined) return;
    if (this.tracing.enabled && msg.traceparent !== undefined) {
      const span = traceBusReceive(this.tracing, msg, sender.info, to, peer.url, peer.id);
      this.locals.deliver(sender.info, to, msg);
      span?.end();
      return;
    }
    this.locals.deliver(sender.info, to, msg);
  }

  linkClosed(link: BusLink, reason: string): void {
    this.links.delete(link);
    const target = this.linkTargets.get(link);
    this.linkTargets.delete(link);
    if (target !== undefined) {
      target.link = undefined;
      target.settled = true;
      if (!target.wanted) this.targets.delete(target.url);
      else if (!this.closing) target.retry();
    }
    const peer = this.linkPeers.get(link);
    this.linkPeers.delete(link);
    if (peer !== undefined) {
      const wasVisible = peer.visible;
      if (peer.outbound === link) peer.outbound = undefined;
      if (peer.inbound === link) {
        peer.inbound = undefined;
        this.updateVisibility(peer);
        for (const id of peer.members.keys()) this.remoteMembers.delete(id);
        peer.members.clear();
      } else {
        this.updateVisibility(peer);
      }
      if (wasVisible && !this.closing) this.logger.warn(`Bus peer ${peer.describe()} left: ${link.direction} link closed (${reason})`);
      if (peer.inbound === undefined && peer.outbound === undefined) this.peers.delete(peer.id);
      this.refreshTargets();
    } else if (this.logger.isDebug && !this.closing) {
      this.logger.debug(`Bus link ${link.direction} ${link.remoteAddress} closed: ${reason}`);
    }
    this.checkSettled();
  }

  // ---- peers and their members ----

  private peerFor(hello: PeerHello): RemotePeer {
    let peer = this.peers.get(hello.peerId);
    if (peer === undefined) {
      peer = new RemotePeer(hello.peerId, hello.url);
      this.peers.set(peer.id, peer);
    }
    peer.url = hello.url;
    return peer;
  }

  /** Shows or withdraws a peer's members from ours as both its links come up or one goes down. */
  private updateVisibility(peer: RemotePeer): void {
    const linked = peer.linked;
    if (linked === peer.visible) return;
    peer.visible = linked;
    if (linked) {
      const names = [...peer.members.values()].map((m) => `${m.info.role} ${m.info.memberId}`);
      this.logger.info(`Bus peer ${peer.describe()} linked${names.length > 0 ? `: ${names.join(', ')}` : ''}`);
      for (const member of peer.members.values()) this.locals.remoteJoined(member.info, [...member.interest.values()], member.state);
    } else {
      for (const member of peer.members.values()) this.locals.remoteLeft(member.info);
    }
  }

  private removeRemoteMember(peer: RemotePeer, memberId: string): void {
    const member = peer.members.get(memberId);
    if (member === undefined) return;
    peer.members.delete(memberId);
    this.remoteMembers.delete(memberId);
    if (peer.visible) this.locals.remoteLeft(member.info);
  }

  private remoteInterest(peer: RemotePeer, memberId: string | undefined, change: InterestChange): void {
    const member = memberId === undefined ? undefined : peer.members.get(memberId);
    if (member === undefined) return;
    member.record(change);
    if (peer.visible) this.locals.remoteInterest(member.info, change);
  }

  private visibleRemoteMembers(): RemoteMember[] {
    const members: RemoteMember[] = [];
    for (const peer of this.peers.values()) if (peer.visible) for (const m of peer.members.values()) members.push(m);
    return members;
  }

  private sendRemote(from: MemberInfo, to: string, msg: BusMessage): void {
    const member = this.remoteMembers.get(to);
    if (member === undefined || !member.peer.visible) return;
    const traced = this.tracing.enabled && msg.traceparent !== undefined;
    member.peer.outbound!.sendMessage(traced ? traceBusSend(this.tracing, msg, from, member.info, member.peer.url, member.peer.id) : msg, from.memberId, to);
  }

  private sendMember(link: BusLink, endpoint: LocalEndpoint): void {
    const memberId = endpoint.self.memberId;
    link.sendFrame({ kind: 'hello', member: endpoint.self });
    link.sendFrame({ kind: 'snapshot', interests: endpoint.interest.snapshot(), memberId });
    if (endpoint.state !== undefined) link.sendFrame({ kind: 'state', state: endpoint.state, memberId });
  }

  private forEachOutbound(action: (link: BusLink) => void): void {
    for (const peer of this.peers.values()) if (peer.outbound !== undefined) action(peer.outbound);
  }

  // ---- liveness ----

  private heartbeat(): void {
    const silentLimit = Math.max(1, Math.ceil(this.memberTimeoutMs / this.heartbeatMs));
    for (const peer of this.peers.values()) peer.outbound?.sendHeartbeat(this.peerId);
    for (const link of [...this.links]) {
      if (link.heard) {
        link.heard = false;
        link.silentIntervals = 0;
        continue;
      }
      // After its PeerHello an outbound link hears nothing; only a missing hello counts there.
      if (link.direction === 'outbound' && link.peer !== undefined) continue;
      if (++link.silentIntervals < silentLimit) continue;
      const peer = this.linkPeers.get(link);
      link.close(`silent for ${this.memberTimeoutMs} ms`);
      // A silent peer is gone (or hung): our link to it would only fill up.
      peer?.outbound?.close('peer went silent');
    }
  }

  // ---- start-up ----

  private waitSettled(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => finish(), this.joinTimeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.settledWaiter = undefined;
        resolve();
      };
      this.settledWaiter = finish;
      this.checkSettled();
    });
  }

  /** Settled: every URL listed at start was tried once, and every peer that answered linked both ways. */
  private checkSettled(): void {
    if (this.settledWaiter === undefined) return;
    for (const target of this.targets.values()) {
      if (!target.settled && !target.self) return;
      const peer = target.peerId === undefined ? undefined : this.peers.get(target.peerId);
      if (peer !== undefined && peer.outbound !== undefined && !peer.visible) return;
    }
    this.settledWaiter();
  }
}

function advertisedHost(host: string): string {
  if (host !== '0.0.0.0' && host !== '::' && host !== '') return host;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
