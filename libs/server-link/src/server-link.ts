import type { Duplex } from 'node:stream';
import { ProtocolErrorKind, protocolErrorText, type RouteProtocolParser, writeRoutedMsg } from '@nats-ts/protocol';
import { ClosedState } from './closed-state.js';
import { ConnectionCore, type ConnectionHost } from './connection-core.js';

/**
 * One connection to another server (route, gateway or leaf node) over a byte stream, on the
 * connection core: the route grammar's parser events every link handles alike, the routed
 * message send, and the socket. Each role's connection adds its verbs.
 */
export abstract class ServerLink extends ConnectionCore {
  /** The peer sends and accepts message headers (its INFO or CONNECT). */
  headers = false;
  /** The router's fan-out scratch (RouterLink): the pass that last chose this link, and the queue groups it got. */
  mark = 0;
  readonly queueScratch: string[] = [];

  protected socket: Duplex;
  private readonly onDataBound = (chunk: Buffer): void => this.onData(chunk);
  private readonly onDrainBound = (): void => this.onDrain();
  private readonly onCloseBound = (): void => this.markClosed(ClosedState.ClientClosed);

  constructor(host: ConnectionHost, socket: Duplex) {
    super(host);
    this.socket = socket;
  }

  /** The link's protocol parser (route grammar; leaf mode for leaf connections), dispatching to the subclass. */
  protected abstract readonly parser: RouteProtocolParser;
  /** Names the parser in logs, as nats-server: `Route`, `Gateway`, `Leafnode`. */
  protected abstract readonly parserName: string;
  /** Tells the owning role the link is gone. */
  protected abstract linkClosed(): void;

  /**
   * The router's delivery (RouterLink.sendRouted): `data[start, end)` holds the header block then
   * the payload, handed to the connection's encoder as two views.
   */
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
  ): void {
    const header = headerSize > 0 ? data.subarray(start, start + headerSize) : undefined;
    this.sendRoutedParts(account, subject, reply, queues, header, data.subarray(start + headerSize, end), traceparent);
  }

  /**
   * `RMSG` on a route or gateway; headers are dropped for a peer without header support, as
   * nats-server does.
   */
  sendRoutedMsg(account: string, subject: string, reply: string | undefined, queues: readonly string[] | undefined, header: Uint8Array | undefined, payload: Uint8Array): void {
    if (this.closed) return;
    const withHeader = this.headerToSend(header);
    writeRoutedMsg(this.out, account, subject, reply, queues, withHeader, payload);
    this.countSent(payload, withHeader);
  }

  /** The header block as the peer may get it: none for a peer without header support. */
  protected headerToSend(header: Uint8Array | undefined): Uint8Array | undefined {
    return header !== undefined && header.length > 0 && this.headers ? header : undefined;
  }

  /** A message was written to the output: counted, and flushed this event-loop turn. */
  protected countSent(payload: Uint8Array, header: Uint8Array | undefined): void {
    this.outMsgs++;
    this.outBytes += payload.length + (header?.length ?? 0);
    this.scheduleFlush();
  }

  /**
   * A CONNECT or INFO the link cannot take: logged and closed as nats-server does (a CONNECT as a
   * protocol violation, an INFO as a parse error).
   */
  protected refuseControl(verb: 'CONNECT' | 'INFO', problem: 'invalid' | 'unexpected'): void {
    this.host.logger.error(`${this.label()} - ${this.parserName} parser ERROR: ${problem} ${verb}`);
    this.close(verb === 'CONNECT' ? ClosedState.ProtocolViolation : ClosedState.ParseError);
  }

  /** Sends a routed message on the link, under a send span when it is traced. */
  protected abstract sendRoutedParts(
    account: string,
    subject: string,
    reply: string | undefined,
    queues: readonly string[],
    header: Uint8Array | undefined,
    payload: Uint8Array,
    traceparent: string | undefined,
  ): void;

  /**
   * Starts reading and the timers: with an auth timeout, CONNECT must arrive before it; the
   * first PING goes out after at most a second, then every ping interval.
   */
  protected startLink(authTimeoutMs: number | undefined): void {
    this.attach(this.socket);
    this.armTimers(authTimeoutMs, Math.min(this.pingIntervalMs(), 1000));
  }

  /** The stream changed under us (TLS started after the plaintext INFO): read and write the new one. */
  replaceSocket(socket: Duplex): void {
    this.detach(this.socket);
    this.socket = socket;
    this.attach(socket);
  }

  protected attach(socket: Duplex): void {
    socket.on('data', this.onDataBound);
    socket.on('drain', this.onDrainBound);
    socket.on('error', this.onCloseBound);
    socket.on('close', this.onCloseBound);
  }

  protected detach(socket: Duplex): void {
    socket.off('data', this.onDataBound);
    socket.off('drain', this.onDrainBound);
    socket.off('error', this.onCloseBound);
    socket.off('close', this.onCloseBound);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastActivity = Date.now();
    this.parser.parse(chunk);
  }

  /** Bytes the parser refused: nats-server's -ERR where it sends one, then the connection closes. */
  onParseError(kind: ProtocolErrorKind, detail?: string): void {
    this.host.logger.error(`${this.label()} - ${this.parserName} parser ERROR: ${detail ?? kind}`);
    const text = protocolErrorText(kind);
    if (text !== undefined) this.sendErr(text);
    this.close(kind === ProtocolErrorKind.AuthorizationViolation ? ClosedState.AuthenticationViolation : ClosedState.ParseError);
  }

  // ---- the socket ----

  protected writeOut(data: Buffer): boolean {
    return this.socket.write(data);
  }

  protected transportPending(): number {
    return this.socket.writableLength;
  }

  /** Nothing left in the socket's queue: the kernel has every taken byte, the store is free. */
  protected writesReleased(): boolean {
    return this.socket.writableLength === 0;
  }

  protected endTransport(): void {
    this.socket.end();
    // A peer that never reads must not keep the socket open.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  protected destroyTransport(): void {
    this.socket.destroy();
  }

  protected connectionClosed(): void {
    this.parser.stop();
    this.linkClosed();
  }
}
