import type { Socket } from 'node:net';
import { parseJsonObject } from '@nats-ts/base';
import { type RouteDispatcher, RouteProtocolParser, writeAccountUnsub, writeRouteSub, writeRouteUnsub } from '@nats-ts/protocol';
import type { RouterOrigin } from '@nats-ts/routing';
import { ClosedState, ServerLink } from '@nats-ts/server-link';
import { asGatewayPeerInfo, type GatewayConnectInfo } from './gateway-info.js';
import type { RemoteGateway } from './gateway-dialer.js';
import type { GatewayLink } from './remote-interest.js';
import type { SuperclusterGateway } from './supercluster-gateway.js';

/** nats-server pings gateways at most this far apart, traffic or not. */
const MAX_GATEWAY_PING_MS = 15_000;

/**
 * One gateway connection. Outbound (we dialed): messages go out (the router's link to the
 * remote cluster's entries), the remote cluster's interest comes in. Inbound (we accepted):
 * messages come in (routed as from a gateway), our cluster's interest goes out. Protocol events
 * are handed to the SuperclusterGateway, which owns the super-cluster logic.
 */
export class GatewayConnection extends ServerLink implements RouteDispatcher, GatewayLink, RouterOrigin {
  /** What the router knows a message from this gateway by. */
  readonly originKind = 'gateway';
  readonly remoteAddress: string;
  readonly remotePort: number;

  /** The remote cluster's name: expected (outbound) or announced in CONNECT (inbound). */
  remoteName: string;
  remoteId = '';
  /** nats-server's hash of the remote cluster's name (outbound), as it appears in mapped replies. */
  remoteHash = '';
  registered = false;
  connectReceived = false;
  /** Accounts we told the peer (A-) we do not know. */
  readonly refusedAccounts = new Set<string>();

  protected readonly parser: RouteProtocolParser;
  protected readonly parserName = 'Gateway';

  constructor(
    private readonly gateway: SuperclusterGateway,
    socket: Socket,
    readonly cid: number,
    /** Set for a connection we dialed. */
    readonly remote: RemoteGateway | undefined,
    readonly url: URL | undefined,
  ) {
    super(gateway, socket);
    this.parser = new RouteProtocolParser(this);
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.remoteName = remote?.name ?? '';
    socket.setNoDelay(true);
  }

  get outbound(): boolean {
    return this.remote !== undefined;
  }

  /** Inbound: our INFO at once, then CONNECT is required first. Outbound: we wait for the peer's INFO. */
  open(info: Buffer | undefined, authTimeoutMs: number): void {
    if (info !== undefined) {
      this.queueProto(info);
      this.parser.setConnectRequired(true);
    }
    this.startLink(authTimeoutMs);
  }

  /** nats-server pings gateways at most every 15 s. */
  protected override pingIntervalMs(): number {
    return Math.min(this.gateway.options.pingIntervalMs, MAX_GATEWAY_PING_MS);
  }

  /** Gateways ping whatever the traffic, once registered (before, the inbound side accepts only CONNECT). */
  protected override wantsPing(): boolean {
    return this.registered;
  }

  /** The handshake is over: no more authentication deadline. */
  handshakeDone(): void {
    this.clearAuthTimer();
  }

  protected linkClosed(): void {
    this.gateway.connectionClosed(this);
  }

  // ---- parser events ----

  onConnect(json: Buffer): void {
    const connect = parseJsonObject(json);
    if (connect === undefined || this.outbound) {
      return this.refuseControl('CONNECT', 'invalid');
    }
    this.parser.setConnectRequired(false);
    this.connectReceived = true;
    this.gateway.processConnect(this, connect as GatewayConnectInfo);
  }

  onInfo(json: Buffer): void {
    const info = asGatewayPeerInfo(parseJsonObject(json));
    if (info === undefined) {
      return this.refuseControl('INFO', 'invalid');
    }
    this.gateway.processInfo(this, info);
  }

  onSub(_origin: string | undefined, account: string, subject: string, queue: string | undefined): void {
    // Interest flows from inbound to outbound only.
    if (this.outbound) this.gateway.remoteSubscribed(this, account, subject, queue);
  }

  onUnsub(account: string, subject: string, queue: string | undefined): void {
    if (this.outbound) this.gateway.remoteUnsubscribed(this, account, subject, queue);
  }

  onAccountInterest(account: string, present: boolean): void {
    if (this.outbound) this.gateway.remoteAccountInterest(this, account, present);
  }

  onMsg(
    _origin: string | undefined,
    account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    headerSize: number,
    message: Buffer,
  ): void {
    this.inMsgs++;
    this.inBytes += message.length;
    // Messages flow from outbound to inbound only.
    if (!this.outbound) this.gateway.fromGateway(this, account, subject, reply, queues, headerSize, message);
  }

  onErr(text: string): void {
    this.gateway.logger.error(`${this.label()} - Gateway Error ${text}`);
    this.close(ClosedState.ParseError);
  }

  // ---- output ----

  /** Interest-only mode: RS+ (queue groups with weight 1) or RS-. */
  sendInterest(account: string, subject: string, queue: string | undefined, present: boolean): void {
    if (present) writeRouteSub(this.out, account, subject, queue, 1);
    else writeRouteUnsub(this.out, account, subject, queue);
    this.scheduleFlush();
  }

  /** `A- <account>` once: the peer stops sending messages of an account we do not know. */
  refuseAccount(account: string): void {
    if (this.refusedAccounts.has(account)) return;
    this.refusedAccounts.add(account);
    writeAccountUnsub(this.out, account);
    this.scheduleFlush();
  }

  get originMember(): string {
    return this.gateway.memberId;
  }

  protected sendRoutedParts(
    account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    header: Uint8Array | undefined,
    payload: Uint8Array,
    traceparent: string | undefined,
  ): void {
    this.gateway.toGateway(this, account, subject, reply, queues, header, payload, traceparent);
  }

  label(): string {
    return `${this.remoteAddress}:${this.remotePort} - gid:${this.cid}`;
  }
}
