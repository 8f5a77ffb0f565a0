import type { Socket } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { peerAddress, type TlsAcceptor } from '@nats-ts/server-link';
import type { WebSocket } from 'ws';
import { readIntoSharedBuffer } from './shared-read-buffer.js';

/** The first byte of a TLS handshake record (a ClientHello). */
const TLS_HANDSHAKE_RECORD = 0x16;

/** A TLSSocket, told apart without loading node:tls (`encrypted` is set on TLS sockets only). */
function isTlsSocket(socket: Socket): socket is TLSSocket {
  return (socket as Partial<TLSSocket>).encrypted === true;
}

/** What a client connection needs from the byte stream below it (TCP, TLS or WebSocket). */
export interface TransportEvents {
  /** `chunk` is valid only during the call: it may be a view of a reused read buffer. */
  onData(chunk: Buffer): void;
  onDrain(): void;
  onClose(error?: Error): void;
}

export interface ConnectionTransport {
  readonly kind: 'tcp' | 'websocket';
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** TLS version and cipher once TLS is up. */
  tlsDetails(): { version: string; cipher: string } | undefined;
  /** The client's verified certificate, on TLS connections that presented one. */
  peerCertificate(): X509Certificate | undefined;
  attach(events: TransportEvents): void;
  /** Returns false when the transport is backed up; onDrain follows. */
  write(data: Buffer): boolean;
  /** Bytes accepted by write() and not yet handed to the kernel. */
  pendingBytes(): number;
  /** True when no Buffer given to write() is still held, so the caller may overwrite them. */
  writesReleased(): boolean;
  /** Stops reading (backpressure); resume() reads again. */
  pause(): void;
  resume(): void;
  /** Sends what is queued, then closes. */
  end(): void;
  destroy(): void;
}

export class SocketTransport implements ConnectionTransport {
  readonly kind = 'tcp' as const;
  readonly remoteAddress: string;
  readonly remotePort: number;
  private socket: Socket;
  private events: TransportEvents | undefined;
  private closed = false;
  /** While the TLS handshake runs: what the connection wrote meanwhile, sent once it is done. */
  private awaitingTls: Buffer[] | undefined;
  /** Reads arrive through the shared read buffer rather than 'data' events. */
  private readonly sharedReads: boolean;
  private readonly forwardData = (chunk: Buffer): void => this.events?.onData(chunk);

  /**
   * `accepted` comes from a server created with `pauseOnConnect`. With `sharedReadBuffer` (not
   * for a connection that will start TLS) it reads into the process-wide buffer when possible.
   */
  constructor(accepted: Socket, sharedReadBuffer: boolean) {
    const adopted = sharedReadBuffer ? readIntoSharedBuffer(accepted, (chunk) => this.events?.onData(chunk)) : undefined;
    this.socket = adopted ?? accepted;
    this.sharedReads = adopted !== undefined;
    this.remoteAddress = peerAddress(this.socket.remoteAddress);
    this.remotePort = this.socket.remotePort ?? 0;
    this.socket.setNoDelay(true);
  }

  attach(events: TransportEvents): void {
    this.events = events;
    this.bind(this.socket);
  }

  private bind(socket: Socket): void {
    const events = this.events!;
    if (!this.sharedReads) socket.on('data', this.forwardData);
    socket.on('drain', () => events.onDrain());
    socket.on('error', (err) => this.finish(err));
    socket.on('close', () => this.finish());
    // Accepted paused (pauseOnConnect), so that no read happens before the events are bound.
    socket.resume();
  }

  private finish(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.events?.onClose(error);
  }

  /**
   * nats-server 2.9 sends INFO in clear text and the client then starts TLS on the same
   * socket; from here on reads and writes go through the TLS layer.
   */
  upgradeToTls(acceptor: TlsAcceptor, onReady: () => void, onFail: (reason: string) => void): void {
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('drain');
    raw.removeAllListeners('close');
    raw.removeAllListeners('error');
    this.awaitingTls = [];
    acceptor.accept(
      raw,
      (secured) => {
        const queued = this.awaitingTls ?? [];
        this.awaitingTls = undefined;
        this.socket = secured;
        this.bind(secured);
        for (const data of queued) secured.write(data);
        onReady();
      },
      onFail,
    );
  }

  /**
   * `allow_non_tls`, as nats-server 2.9: the client's first bytes after INFO decide. A TLS
   * handshake record starts TLS over them; anything else is plain-text protocol.
   */
  upgradeToTlsIfClientStarts(acceptor: TlsAcceptor, onReady: () => void, onFail: (reason: string) => void): void {
    const raw = this.socket;
    raw.off('data', this.forwardData);
    raw.once('data', (first: Buffer) => {
      if (first[0] === TLS_HANDSHAKE_RECORD) {
        raw.pause();
        raw.unshift(first);
        this.upgradeToTls(acceptor, onReady, onFail);
        return;
      }
      raw.on('data', this.forwardData);
      this.forwardData(first);
    });
  }

  peerCertificate(): X509Certificate | undefined {
    return isTlsSocket(this.socket) ? this.socket.getPeerX509Certificate() : undefined;
  }

  tlsDetails(): { version: string; cipher: string } | undefined {
    if (!isTlsSocket(this.socket)) return undefined;
    const cipher = this.socket.getCipher();
    return { version: this.socket.getProtocol() ?? '', cipher: cipher?.standardName ?? cipher?.name ?? '' };
  }

  write(data: Buffer): boolean {
    if (this.awaitingTls === undefined) return this.socket.write(data);
    this.awaitingTls.push(data);
    return true;
  }

  pendingBytes(): number {
    if (this.awaitingTls === undefined) return this.socket.writableLength;
    let bytes = 0;
    for (const data of this.awaitingTls) bytes += data.length;
    return bytes;
  }

  writesReleased(): boolean {
    // A socket's queue counts a write until the kernel has taken it (or TLS has encrypted it).
    return this.awaitingTls === undefined && this.socket.writableLength === 0;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  end(): void {
    this.socket.end();
    // A peer that never reads must not keep the socket (and its buffers) alive.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export class WebSocketTransport implements ConnectionTransport {
  readonly kind = 'websocket' as const;
  private closed = false;
  private events: TransportEvents | undefined;
  private readonly afterSend = (): void => {
    if (this.ws.bufferedAmount === 0) this.events?.onDrain();
  };

  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
    readonly remotePort: number,
    private readonly tls: { version: string; cipher: string } | undefined,
  ) {}

  attach(events: TransportEvents): void {
    this.events = events;
    this.ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      if (Buffer.isBuffer(data)) events.onData(data);
      else if (Array.isArray(data)) events.onData(Buffer.concat(data));
      else events.onData(Buffer.from(data));
    });
    this.ws.on('error', (err) => this.finish(err));
    this.ws.on('close', () => this.finish());
  }

  private finish(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.events?.onClose(error);
  }

  peerCertificate(): X509Certificate | undefined {
    return undefined;
  }

  tlsDetails(): { version: string; cipher: string } | undefined {
    return this.tls;
  }

  write(data: Buffer): boolean {
    this.ws.send(data, { binary: true }, this.afterSend);
    return this.ws.bufferedAmount === 0;
  }

  pendingBytes(): number {
    return this.ws.bufferedAmount;
  }

  writesReleased(): boolean {
    // ws may still hold a sent Buffer (e.g. queued for compression) after its counters read 0.
    return false;
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  end(): void {
    this.ws.close(1000);
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }

  destroy(): void {
    this.ws.terminate();
  }
}
