import type { Duplex } from 'node:stream';
import { GLOBAL_ACCOUNT_NAME, parseJsonObject } from '@nats-ts/base';
import { createLeafParser, isGatewayReply, type LeafDispatcher, type RouteProtocolParser, unmapGatewayReply, WireError, writeLeafMsg, writeLeafSub, writeLeafUnsub } from '@nats-ts/protocol';
import { ClosedState, ServerLink } from '@nats-ts/server-link';
import { PermissionChecker, subjectHasWildcard, type Permissions, type RouterLink, type RouterOrigin } from '@nats-ts/routing';
import { applyHubPermissions } from './leaf-handshake.js';
import { type LeafConnectInfo, type LeafPeerInfo } from './leaf-info.js';
import { leafTakes, SPOKE_FORWARDS } from './leaf-policy.js';
import type { LeafProxy } from './leaf-proxy.js';
import type { DialedStream, LeafRemote } from './leaf-remote.js';

const LOOP_SUBJECT_PREFIX = '$LDS.';

/** Loop detection and gateway reply subjects, which a leaf's permissions never hold back (nats-server). */
function isLeafInternalSubject(subject: string): boolean {
  return subject.startsWith(LOOP_SUBJECT_PREFIX) || subject.startsWith('$GR.') || subject.startsWith('_GR_.');
}

/**
 * One leaf node connection, either side: a leaf that connected to us (we are its hub) or a hub
 * we connected to (`remote` set; we are the spoke). A remote with `hub: true`, or a leaf whose
 * CONNECT says `is_hub`, turns the roles around: who dialed and who is the hub are apart. Parses what the other side sends, keeps the
 * interest we told it about (nats-server's smap: plain interest on 0↔1, queue groups with their
 * weight on every change), batches output, pings, and hands everything else to the proxy. To the
 * router it is the link its interest is reached over and the origin of the messages it brings.
 */
export class LeafConnection extends ServerLink implements LeafDispatcher, RouterLink, RouterOrigin {
  /** What the router knows a message from this connection by. */
  readonly originKind = 'leaf';
  /** What its messages may reach: less from a connection to our hub. */
  forwards: number | undefined;
  /** The other side is our hub: we send it only local interest and keep its messages off routes and gateways. */
  isSpoke: boolean;
  /** The account this connection is bound to (set at CONNECT on the hub side, from the remote on ours). */
  account: string;
  /** Accepted side: the nonce of our first INFO, which a JWT user signs. */
  nonce: string | undefined;
  /** Accepted side: the leaf came through the websocket listener. */
  viaWebsocket = false;
  remoteId = '';
  remoteName = '';
  remoteCluster = '';
  /** Handshake complete: interest and messages flow. */
  registered = false;
  /** `deny_exports`/CONNECT `deny_pub` (what we may not send), `deny_imports` (what we may not ask for). */
  perms: PermissionChecker;
  /** The permissions `perms` was built from, before JetStream's denies. */
  basePermissions: Permissions | undefined;
  /** The other side's JetStream domain, from its CONNECT or INFO. */
  peerDomain: string | undefined;
  /** What we dialed (URL, stream kind), on the leaf side. */
  dialed: DialedStream | undefined;

  private readonly smap = new Map<string, number>();
  protected readonly parser: RouteProtocolParser;
  protected readonly parserName = 'Leafnode';
  private awaitingConnectInfo = false;

  constructor(
    private readonly proxy: LeafProxy,
    socket: Duplex,
    readonly cid: number,
    readonly remoteAddress: string,
    readonly remotePort: number,
    /** The remote we dialed this connection for; undefined when the leaf connected to us. */
    readonly remote: LeafRemote | undefined,
  ) {
    super(proxy, socket);
    this.account = remote?.account ?? GLOBAL_ACCOUNT_NAME;
    this.basePermissions = remote !== undefined ? { publish: { deny: remote.config.denyExports }, subscribe: { deny: remote.config.denyImports } } : undefined;
    this.perms = new PermissionChecker(this.basePermissions);
    this.parser = createLeafParser(this);
    this.isSpoke = remote !== undefined && remote.config.hub !== true;
    this.forwards = this.isSpoke ? SPOKE_FORWARDS : undefined;
  }

  /** A leaf that dialed us declared itself the hub (CONNECT `is_hub`): we take the spoke's side. */
  becomeSpoke(): void {
    this.isSpoke = true;
    this.forwards = SPOKE_FORWARDS;
  }

  /** We dialed it. */
  get isSolicited(): boolean {
    return this.remote !== undefined;
  }

  /** Starts reading; on the hub side CONNECT must come first, within the auth timeout. */
  open(authTimeoutMs: number | undefined): void {
    if (!this.isSolicited) this.parser.setConnectRequired(true);
    this.startLink(this.isSolicited ? undefined : (authTimeoutMs ?? 2000));
  }

  /** As nats-server: a spoke always pings; a hub skips the PING after recent traffic from the leaf. */
  protected override wantsPing(): boolean {
    return this.isSpoke || super.wantsPing();
  }

  protected linkClosed(): void {
    this.proxy.leafClosed(this);
  }

  // ---- parser events ----

  onConnect(json: Buffer): void {
    const connect = parseJsonObject(json);
    if (connect === undefined || this.isSolicited) {
      return this.refuseControl('CONNECT', 'unexpected');
    }
    this.clearAuthTimer();
    this.parser.setConnectRequired(false);
    this.proxy.processConnect(this, connect as LeafConnectInfo);
  }

  onInfo(json: Buffer): void {
    const info = parseJsonObject(json);
    if (info === undefined || typeof info.server_id !== 'string') {
      return this.refuseControl('INFO', 'invalid');
    }
    if (!this.isSolicited) return;
    const peer = info as LeafPeerInfo;
    if (this.remoteId === '') {
      this.proxy.processHubInfo(this, peer);
    } else if (peer.connect_info === true && this.awaitingConnectInfo) {
      this.awaitingConnectInfo = false;
      applyHubPermissions(this, peer);
      this.proxy.register(this);
    } else if (Array.isArray(peer.leafnode_urls)) {
      this.remote!.learnUrls(peer.leafnode_urls);
    }
  }

  /** The CONNECT went out; registration waits for the hub's INFO with connect_info when it promised one. */
  awaitConnectInfo(): void {
    this.awaitingConnectInfo = true;
  }

  onSub(_origin: string | undefined, _account: string, subject: string, queue: string | undefined, weight: number): void {
    if (!this.registered) return;
    if (subject.startsWith(LOOP_SUBJECT_PREFIX) && subject === this.proxy.loopSubject(this.account)) {
      this.proxy.loopDetected(this);
      return;
    }
    if (!this.isSolicited && !subjectHasWildcard(subject) && !isLeafInternalSubject(subject) && !this.perms.canPublish(subject)) {
      // As nats-server: a leaf asking for what it may not receive breaks its permissions.
      this.sendErr(WireError.subscribeViolation(subject));
      this.proxy.logger.error(`${this.label()} - Subscription Violation on ${JSON.stringify(subject)} - Check other side configuration`);
      return this.close(ClosedState.ProtocolViolation);
    }
    this.proxy.linkSubscribed(this, subject, queue, weight);
  }

  onUnsub(_account: string, subject: string, queue: string | undefined): void {
    if (this.registered) this.proxy.linkUnsubscribed(this, subject, queue);
  }

  onMsg(
    _origin: string | undefined,
    _account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    headerSize: number,
    message: Buffer,
  ): void {
    this.inMsgs++;
    this.inBytes += message.length;
    if (!this.registered) return;
    // deny_imports: what we did not ask for is not let in either.
    if (this.isSolicited && !this.perms.canSubscribeAcrossLeaf(subject)) return;
    this.proxy.fromLeaf(this, subject, reply, queues, headerSize, message);
  }

  onErr(text: string): void {
    this.proxy.logger.error(`${this.label()} - Leafnode Error ${text}`);
    this.proxy.leafError(this, text);
    this.close(ClosedState.ParseError);
  }

  // ---- interest we tell the other side ----

  /**
   * Adds `delta` subscriptions of subject/queue to what the other side knows of our interest:
   * LS+ when plain interest appears, LS- when it goes, and a queue group's new weight on every
   * change. `checked` false skips the import permission (loop detection subjects).
   */
  adjustInterest(subject: string, queue: string | undefined, delta: number, checked = true): void {
    if (delta === 0 || this.closed) return;
    if (checked && !this.perms.canSubscribeAcrossLeaf(subject, queue)) return;
    const key = queue === undefined ? subject : `${subject} ${queue}`;
    const before = this.smap.get(key) ?? 0;
    const after = Math.max(0, before + delta);
    if (after === 0) {
      if (before === 0) return;
      this.smap.delete(key);
      writeLeafUnsub(this.out, subject, queue);
    } else {
      this.smap.set(key, after);
      if (queue === undefined && before > 0) return;
      writeLeafSub(this.out, subject, queue, after);
    }
    this.scheduleFlush();
  }

  // ---- output ----

  /**
   * Forwards a message; headers are cut for a side without header support, and a reply mapped
   * for a gateway loses its `_GR_.` prefix, as nats-server does.
   */
  sendMsg(subject: string, reply: string | undefined, queues: readonly string[] | undefined, header: Uint8Array | undefined, payload: Uint8Array): void {
    if (this.closed) return;
    const withHeader = this.headerToSend(header);
    const leafReply = reply !== undefined && isGatewayReply(reply) ? unmapGatewayReply(reply) : reply;
    writeLeafMsg(this.out, subject, leafReply, queues, withHeader, payload);
    this.countSent(payload, withHeader);
  }

  // ---- the router's link ----

  /** The bus member messages from leafs enter the router through. */
  get originMember(): string {
    return this.proxy.memberId;
  }

  /** nats-server's leaf rules (leaf-policy.ts), and what the other side may not be sent (deny_exports, deny_pub). */
  accepts(origin: RouterOrigin, subject: string): boolean {
    return this.registered && this.perms.canPublish(subject) && leafTakes(this, origin, origin instanceof LeafConnection ? origin : undefined);
  }

  // A leaf connection is bound to one account: LMSG carries none.
  protected sendRoutedParts(
    _account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    header: Uint8Array | undefined,
    payload: Uint8Array,
    traceparent: string | undefined,
  ): void {
    if (traceparent === undefined || !this.proxy.tracing.enabled) this.sendMsg(subject, reply, queues, header, payload);
    else this.proxy.sendTraced(this, traceparent, subject, reply, queues, header, payload);
  }

  label(): string {
    return `${this.remoteAddress}:${this.remotePort} - lid:${this.cid}`;
  }
}
