import { type AuthResult, certificateNames, type ClientCredentials, type ClientPeer, NO_CERTIFICATE, smallerLimit } from '@nats-ts/auth';
import { GLOBAL_ACCOUNT_NAME, outputStall } from '@nats-ts/base';
import { type ClientDispatcher, ClientProtocolParser, encodeInfo, hasGatewayReplyPrefix, isGatewayReply, OK_FRAME, ProtocolErrorKind, protocolErrorText, WireError, writeHMsg, writeHMsgAfterHead, writeMsg, writeMsgAfterHead } from '@nats-ts/protocol';
import { PermissionChecker, ResponsePermissions, isReservedQueueName, isValidLiteralSubject, type RouterAccount, type RouterOrigin } from '@nats-ts/routing';
import type { Permissions } from '@nats-ts/config';
import { formatGoDuration } from '@nats-ts/observability';
import { ClosedState, ConnectionCore } from '@nats-ts/server-link';
import type { ConnectionTransport } from './transport.js';
import type { ClientGateway } from './client-gateway.js';
import { ClientSubscription } from './interest.js';
import { GatewayReplies } from './gateway-replies.js';
import { latencyClientInfo } from './latency-client-info.js';
import { DEFAULT_CONNECT, parseConnect, redactPassword, type ConnectOptions } from './connect-options.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** `_`, the first byte of the reserved `_GR_.` prefix: a cheap test before the full one. */
const UNDERSCORE = 0x5f;

/**
 * One client connection: the parser's dispatcher, the connection's subscriptions and its
 * outbound buffer. Deliveries append to the buffer; the gateway's flush queue writes it to
 * the transport once per event-loop turn.
 */
export class ClientConnection extends ConnectionCore implements ClientDispatcher, RouterOrigin {
  readonly cid: number;

  opts: ConnectOptions = { ...DEFAULT_CONNECT };
  credentials: ClientCredentials = {};
  auth: AuthResult | undefined;
  account: RouterAccount | undefined;
  /** What the router knows a client's message by. */
  readonly originKind = 'client';

  get originMember(): string {
    return this.gateway.memberId;
  }

  clientInfo(detailed: boolean): Record<string, unknown> {
    return latencyClientInfo(this, detailed);
  }
  readonly subs = new Map<string, ClientSubscription>();

  private readonly parser: ClientProtocolParser;
  private perms: PermissionChecker | undefined;
  private responsePerms: ResponsePermissions | undefined;
  /** Replies of requests from other clusters this client was given (created on the first). */
  private gatewayReplies: GatewayReplies | undefined;
  private connectReceived = false;
  stopTime = 0;
  private expiryTimer: NodeJS.Timeout | undefined;
  /** -1: unlimited (a JWT limit of 0 allows none). */
  private maxSubscriptions = -1;
  /** Not reading while an output of the process is stalled. */
  private readsPaused = false;
  private readonly resumeReadsBound = (): void => this.resumeReads();

  constructor(
    readonly gateway: ClientGateway,
    readonly transport: ConnectionTransport,
    cid: number,
  ) {
    super(gateway);
    this.cid = cid;
    const o = gateway.options;
    this.parser = new ClientProtocolParser(this, { maxControlLine: o.maxControlLine, maxPayload: o.maxPayload });
    this.maxSubscriptions = o.maxSubscriptions > 0 ? o.maxSubscriptions : -1;
  }

  get echo(): boolean {
    return this.opts.echo;
  }

  /** Sends INFO and arms the timers; TLS, when required, is started by the gateway after INFO. */
  open(): void {
    this.transport.attach(this);
    const info = this.gateway.infoFor(this);
    const nonce = this.gateway.authenticator.nonceForInfo();
    if (nonce !== undefined) {
      info.nonce = nonce;
      this.credentials.nonce = nonce;
    }
    this.writeNow(encodeInfo(info));
    const required = this.gateway.authenticator.required;
    if (required) this.parser.setConnectRequired(true);
    this.armTimers(required ? this.gateway.options.auth.timeoutMs : undefined, this.pingIntervalMs());
  }

  // ---- transport events ----

  onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastActivity = Date.now();
    outputStall.producing();
    this.parser.parse(chunk);
    // A fast producer waits while an output it fed is backed up (nats-server's stall).
    if (outputStall.mustWait && !this.readsPaused) {
      this.readsPaused = true;
      this.transport.pause();
      outputStall.wait(this.resumeReadsBound);
    }
  }

  private resumeReads(): void {
    this.readsPaused = false;
    if (!this.closed) this.transport.resume();
  }

  onClose(): void {
    this.markClosed(ClosedState.ClientClosed);
  }

  // ---- parser events ----

  onConnect(json: Buffer): void {
    if (this.gateway.logger.isTrace) this.traceIn('CONNECT', redactPassword(json.toString('utf8')));
    const parsed = parseConnect(json, this.opts, this.credentials);
    if (parsed === undefined) {
      // nats-server closes without -ERR when CONNECT does not decode.
      this.gateway.logger.error(`${this.label()} - Client parser ERROR: invalid CONNECT`);
      return this.close(ClosedState.ProtocolViolation);
    }
    this.opts = parsed.opts;
    this.credentials = parsed.credentials;
    // verify_and_map: the client listener's certificate names the user (websocket clients have their own listener).
    if (this.gateway.options.tls?.verifyAndMap === true && this.transport.kind === 'tcp') {
      const cert = this.transport.peerCertificate();
      this.credentials.certificate = cert !== undefined ? certificateNames(cert) : NO_CERTIFICATE;
    }
    const opts = this.opts;
    if (this.gateway.options.noHeaderSupport) opts.headers = false;
    if (!this.connectReceived) {
      const result = this.gateway.authenticator.authenticate(this.credentials, this.peer());
      if (result === undefined) return this.authViolation();
      const accountConnections = result.limits?.maxAccountConnections ?? -1;
      if (accountConnections !== -1 && this.gateway.clientsOfAccount(result.account) >= accountConnections) return this.accountConnectionsExceeded();
      this.bind(result);
      this.connectReceived = true;
      this.gateway.systemEvents?.connected(this);
      this.parser.setConnectRequired(false);
      this.clearAuthTimer();
    }
    if (opts.protocol < 0 || opts.protocol > 1) {
      this.sendErr(WireError.badClientProtocol);
      return this.close(ClosedState.BadClientProtocolVersion);
    }
    if (opts.noResponders && !opts.headers) {
      this.sendErr(WireError.noRespondersRequiresHeaders);
      return this.close(ClosedState.NoRespondersRequiresHeaders);
    }
    if (opts.verbose) this.queueProto(OK_FRAME);
  }

  onPub(subject: string, reply: string | undefined, data: Buffer, start: number, end: number): void {
    if (this.gateway.logger.isTrace) this.traceIn('PUB', `${subject}${reply ? ` ${reply}` : ''} ${end - start}`, data.subarray(start, end));
    this.publish(subject, reply, 0, data, start, end);
  }

  onHPub(subject: string, reply: string | undefined, headerSize: number, data: Buffer, start: number, end: number): void {
    if (this.gateway.logger.isTrace) {
      this.traceIn('HPUB', `${subject}${reply ? ` ${reply}` : ''} ${headerSize} ${end - start}`, data.subarray(start, end));
    }
    this.publish(subject, reply, headerSize, data, start, end);
  }

  onSub(subject: string, queue: string | undefined, sid: string): void {
    if (this.gateway.logger.isTrace) this.traceIn('SUB', `${subject}${queue ? ` ${queue}` : ''} ${sid}`);
    if (!this.requireConnect()) return;
    if ((this.perms !== undefined && !this.perms.canSubscribe(subject, queue)) || (queue !== undefined && isReservedQueueName(queue))) {
      this.sendErr(WireError.subscribeViolation(subject, queue));
      this.gateway.logger.error(`${this.label()} - Subscription Violation - ${this.authUserLabel()}, Subject "${subject}", SID ${sid}`);
      return;
    }
    const max = this.maxSubscriptions;
    if (max !== -1 && this.subs.size >= max) {
      this.gateway.logger.error(`${this.label()} - maximum subscriptions exceeded`);
      this.sendErr(WireError.maxSubscriptions);
      return;
    }
    if (this.subs.has(sid)) return;
    const sub = new ClientSubscription(subject, queue, sid, this);
    if (!this.gateway.addSubscription(this, sub)) {
      this.sendErr(WireError.invalidSubject);
      return;
    }
    this.subs.set(sid, sub);
    if (this.opts.verbose) this.queueProto(OK_FRAME);
  }

  onUnsub(sid: string, max: number | undefined): void {
    if (this.gateway.logger.isTrace) this.traceIn('UNSUB', max === undefined ? sid : `${sid} ${max}`);
    if (!this.requireConnect()) return;
    const sub = this.subs.get(sid);
    if (sub !== undefined) {
      if (max !== undefined && max > 0 && sub.delivered < max) sub.max = max;
      else this.removeSubscription(sub);
    }
    if (this.opts.verbose) this.queueProto(OK_FRAME);
  }

  override onPing(): void {
    if (this.gateway.logger.isTrace) this.traceIn('PING');
    super.onPing();
  }

  override onPong(): void {
    if (this.gateway.logger.isTrace) this.traceIn('PONG');
    super.onPong();
  }

  onParseError(kind: ProtocolErrorKind, detail?: string): void {
    if (kind === ProtocolErrorKind.AuthorizationViolation) return this.authViolation();
    const text = protocolErrorText(kind);
    this.gateway.logger.error(`${this.label()} - Client parser ERROR: ${kind}${detail ? ` (${detail})` : ''}`);
    if (text !== undefined) this.sendErr(text);
    this.close(
      kind === ProtocolErrorKind.MaxPayloadViolation
        ? ClosedState.MaxPayloadExceeded
        : kind === ProtocolErrorKind.MaxControlLineExceeded
          ? ClosedState.MaxControlLineExceeded
          : ClosedState.ParseError,
    );
  }

  // ---- publish path ----

  /** The message (headers, then payload) is `data[start, end)`. */
  private publish(subject: string, reply: string | undefined, headerSize: number, data: Buffer, start: number, end: number): void {
    if (!this.requireConnect()) return;
    this.inMsgs++;
    this.inBytes += end - start;
    if (headerSize > 0 && !this.opts.headers) {
      // nats-server closes, without -ERR, a client that sends HPUB without negotiating headers.
      return this.close(ClosedState.ProtocolViolation);
    }
    // nats-server reports a bad subject in pedantic mode but still routes the message.
    if (this.opts.pedantic && !isValidLiteralSubject(subject)) this.sendErr(WireError.invalidPublishSubject);
    if (subject.charCodeAt(0) === UNDERSCORE && hasGatewayReplyPrefix(subject)) return this.publishDenied(subject);
    if (this.perms !== undefined && !this.perms.canPublish(subject)) {
      const rp = this.responsePerms;
      if (rp === undefined || !rp.consume(subject, Date.now())) return this.publishDenied(subject);
    }
    if (this.opts.verbose) this.queueProto(OK_FRAME);
    // An answer to a request from another cluster goes back under the reply it came with.
    if (this.gatewayReplies !== undefined && this.gatewayReplies.size > 0) subject = this.gatewayReplies.resolve(subject, Date.now());
    this.gateway.routeFromClient(this, subject, reply, headerSize, data, start, end);
  }

  private publishDenied(subject: string): void {
    this.sendErr(WireError.publishViolation(subject));
    this.gateway.logger.error(`${this.label()} - Publish Violation - ${this.authUserLabel()}, Subject "${subject}"`);
  }

  /** nats-server answers a request nobody received with a 503 status to the requestor's reply sub. */
  sendNoResponders(reply: string): void {
    if (!this.opts.noResponders) return;
    for (const sub of this.subs.values()) {
      if (sub.queue === undefined && this.gateway.subjectMatches(reply, sub.subject)) {
        this.out.writeLatin1(`HMSG ${reply} ${sub.sid} 16 16\r\nNATS/1.0 503\r\n\r\n\r\n`);
        this.gateway.flushQueue.schedule(this);
        return;
      }
    }
  }

  // ---- delivery (hot path) ----

  /** Queues MSG/HMSG for `sub`; the message (headers, then payload) is `data[start, end)`. */
  deliver(sub: ClientSubscription, subject: string, reply: string | undefined, headerSize: number, data: Uint8Array, start: number, end: number): void {
    if (this.closed) return;
    // A wildcard subscription may cover a denied subject: those messages are filtered here.
    if (this.perms !== undefined && this.perms.isDeliveryDenied(subject)) return;
    // A request from another cluster: the client sees its own reply subject, as with nats-server.
    if (reply !== undefined && reply.charCodeAt(0) === UNDERSCORE && isGatewayReply(reply)) {
      reply = (this.gatewayReplies ??= new GatewayReplies()).track(reply, Date.now());
    }
    if (this.gateway.logger.isTrace) this.traceOut(headerSize > 0 ? 'HMSG' : 'MSG', `${subject} ${sub.sid}${reply ? ` ${reply}` : ''} ${end - start}`);
    if (this.gateway.activeTrace !== undefined) this.gateway.traceDelivery(this, sub, subject);
    if (headerSize > 0 && this.opts.headers) {
      const head = sub.headFor(subject, true);
      if (head !== undefined) writeHMsgAfterHead(this.out, head, reply, headerSize, data, start, end);
      else writeHMsg(this.out, subject, sub.sid, reply, headerSize, data, start, end);
    } else {
      // A client without header support gets the payload alone, as nats-server does.
      const payloadStart = start + headerSize;
      const head = sub.headFor(subject, false);
      if (head !== undefined) writeMsgAfterHead(this.out, head, reply, data, payloadStart, end);
      else writeMsg(this.out, subject, sub.sid, reply, data, payloadStart, end);
    }
    this.outMsgs++;
    this.outBytes += end - start;
    if (reply !== undefined && this.responsePerms !== undefined) this.responsePerms.grant(reply, Date.now());
    if (sub.max > 0 && ++sub.delivered >= sub.max) this.removeSubscription(sub);
    else if (sub.max === 0) sub.delivered++;
    this.scheduleFlush();
  }

  // ---- subscriptions ----

  removeSubscription(sub: ClientSubscription): void {
    if (this.subs.get(sub.sid) !== sub) return;
    this.subs.delete(sub.sid);
    this.gateway.removeSubscription(this, sub);
  }

  /** Limits may change on reload. */
  applyLimits(): void {
    const o = this.gateway.options;
    const limits = this.auth?.limits;
    // A JWT user's limits tighten the server's (nats-server's applyAccountLimits); 0 there is 0.
    const maxPayload = limits === undefined ? o.maxPayload : smallerLimit(limits.maxPayload, o.maxPayload);
    const serverSubscriptions = o.maxSubscriptions > 0 ? o.maxSubscriptions : -1;
    this.maxSubscriptions = limits === undefined ? serverSubscriptions : smallerLimit(limits.maxSubscriptions, serverSubscriptions);
    this.parser.setLimits({ maxControlLine: o.maxControlLine, maxPayload });
  }

  private bind(result: AuthResult): void {
    this.auth = result;
    this.account = this.gateway.accountFor(result.account);
    this.applyPermissions(result.permissions);
    if (result.limits !== undefined) this.applyLimits();
    if (result.expiresAtMs !== undefined) this.armExpiry(result.expiresAtMs);
  }

  private armExpiry(expiresAtMs: number): void {
    // Timers hold at most 2^31-1 ms (about 24 days): a later expiry is reached in steps.
    const wait = Math.min(Math.max(0, expiresAtMs - Date.now()), MAX_TIMER_MS);
    this.expiryTimer = setTimeout(() => (Date.now() >= expiresAtMs ? this.authExpired() : this.armExpiry(expiresAtMs)), wait);
  }

  /** Where the client comes from, for JWT `src` and `allowed_connection_types`. */
  peer(): ClientPeer {
    return { host: this.transport.remoteAddress, type: this.transport.kind === 'websocket' ? 'WEBSOCKET' : 'STANDARD' };
  }

  accountConnectionsExceeded(): void {
    this.sendErr(WireError.maxAccountConnections);
    this.close(ClosedState.MaxAccountConnectionsExceeded);
  }

  /** A JWT user its account revoked (seen on reload) is told and closed, as by nats-server. */
  revoked(): void {
    this.sendErr(WireError.userAuthenticationRevoked);
    this.close(ClosedState.Revocation);
  }

  /** A JWT user whose account is gone (deleted) or expired is told and closed, as by nats-server. */
  accountExpired(): void {
    this.sendErr(WireError.accountAuthenticationExpired);
    this.close(ClosedState.AuthenticationExpired);
  }

  /** A JWT user whose JWT expired is told and closed, as by nats-server. */
  private authExpired(): void {
    this.expiryTimer = undefined;
    this.sendErr(WireError.userAuthenticationExpired);
    this.close(ClosedState.AuthenticationExpired);
  }

  /** (Re)applies permissions; on reload, subscriptions no longer allowed are removed as nats-server does. */
  applyPermissions(perms: Permissions | undefined): void {
    this.perms = perms?.publish || perms?.subscribe ? new PermissionChecker(perms) : undefined;
    this.responsePerms = perms?.allowResponses
      ? new ResponsePermissions(perms.allowResponses.maxMsgs, perms.allowResponses.expiresMs)
      : undefined;
  }

  revokeDisallowedSubscriptions(): void {
    const perms = this.perms;
    if (perms === undefined) return;
    for (const sub of [...this.subs.values()]) {
      if (!perms.canSubscribe(sub.subject, sub.queue)) {
        this.removeSubscription(sub);
        this.sendErr(WireError.subscriptionRevoked(sub.subject, sub.sid));
      }
    }
  }

  // ---- pings, timers, errors, close ----

  private requireConnect(): boolean {
    if (this.connectReceived) return true;
    if (!this.gateway.authenticator.required) {
      // Without auth nats-server accepts protocol before CONNECT (telnet-style use).
      this.bind({ account: GLOBAL_ACCOUNT_NAME });
      this.connectReceived = true;
      return true;
    }
    this.authViolation();
    return false;
  }

  authViolation(): void {
    const { user, nkey } = this.credentials;
    const who = nkey ? ` - Nkey "${nkey}"` : user ? ` - User "${user}"` : '';
    this.gateway.logger.error(`${this.label()} - authentication error${who}`);
    this.sendErr(WireError.authorizationViolation);
    this.close(ClosedState.AuthenticationViolation);
    this.gateway.systemEvents?.authError(this);
  }

  protected override reportSlowConsumer(reason: ClosedState, pending: number): void {
    this.gateway.stats.slowConsumers++;
    const o = this.gateway.options;
    this.gateway.logger.info(
      reason === ClosedState.SlowConsumerWriteDeadline
        ? `${this.label()} - Slow Consumer Detected: WriteDeadline of ${formatGoDuration(o.writeDeadlineMs * 1e6)} exceeded with ${pending} total bytes.`
        : `${this.label()} - Slow Consumer Detected: MaxPending of ${o.maxPending} Exceeded`,
    );
  }

  /** Sends an INFO update (lame duck mode, connect_urls) to clients that understand async INFO. */
  sendInfo(info: object): void {
    if (this.opts.protocol >= 1) this.queueProto(encodeInfo(info));
  }

  private writeNow(frame: Buffer): void {
    this.transport.write(frame);
  }

  // ---- the transport ----

  protected writeOut(data: Buffer): boolean {
    return this.transport.write(data);
  }

  protected transportPending(): number {
    return this.transport.pendingBytes();
  }

  protected writesReleased(): boolean {
    return this.transport.writesReleased();
  }

  protected endTransport(): void {
    this.transport.end();
  }

  protected destroyTransport(): void {
    this.transport.destroy();
  }

  protected connectionClosed(): void {
    this.parser.stop();
    this.stopTime = Date.now();
    if (this.expiryTimer !== undefined) clearTimeout(this.expiryTimer);
    for (const sub of this.subs.values()) this.gateway.removeSubscription(this, sub);
    this.subs.clear();
    this.gateway.connectionClosed(this);
  }

  /** nats-server's trace lines: `<<- [OP args]` in, `->> [OP args]` out, then the payload quoted. */
  private traceIn(op: string, args?: string, payload?: Uint8Array): void {
    const log = this.gateway.logger;
    log.trace(`${this.label()} - <<- [${op}${args !== undefined ? ` ${args}` : ''}]`);
    if (payload !== undefined) log.trace(`${this.label()} - <<- MSG_PAYLOAD: [${JSON.stringify(Buffer.from(payload).toString('latin1'))}]`);
  }

  private traceOut(op: string, args: string): void {
    this.gateway.logger.trace(`${this.label()} - ->> [${op} ${args}]`);
  }

  label(): string {
    return `${this.transport.remoteAddress}:${this.transport.remotePort} - cid:${this.cid}`;
  }

  private authUserLabel(): string {
    if (this.auth?.nkey) return `Nkey "${this.auth.user}"`;
    return this.auth?.user ? `User "${this.auth.user}"` : 'User ""';
  }
}
