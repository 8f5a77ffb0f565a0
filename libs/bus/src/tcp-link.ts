import type { Socket } from 'node:net';
import { FrameBuffer } from './frame-buffer.js';
import { FrameReader, type FrameSink } from './frame-reader.js';
import { MESSAGE_FRAME_TAG, MessageFrameDecoder } from './message-codec.js';
import { decodeFrame, encodeFrame, type BusFrame } from './schema.js';
import type { BusMessage } from './types.js';
import { type Flushable, type FlushQueue, outputStall } from '@nats-ts/base';

/** Version of the TCP bus conversation, sent in PeerHello; a peer speaking another is refused. */
export const BUS_PROTOCOL = 2;

const END_GRACE_MS = 2_000;

export type PeerHello = Extract<BusFrame, { kind: 'peer' }>;

/** What a link reports to the bus that owns it. */
export interface LinkEvents {
  /** The other side's PeerHello arrived (the first frame on every link). */
  linkHello(link: BusLink, hello: PeerHello): void;
  /** The first heartbeat arrived on an inbound link: the other side's members are all announced. */
  linkSynced(link: BusLink): void;
  /** A member frame (hello, gone, interest, snapshot, state) on an inbound link. */
  linkFrame(link: BusLink, frame: BusFrame): void;
  /** A message on an inbound link; its buffers are valid only during the call. */
  linkMessage(link: BusLink, msg: BusMessage, from: string, to: string): void;
  linkClosed(link: BusLink, reason: string): void;
}

export interface LinkSettings {
  scheduler: FlushQueue;
  /** Output allowed to pile up before the other side counts as a slow consumer and the link closes. */
  maxPendingBytes: number;
}

/**
 * One TCP connection between two bus peers. Both sides first send a PeerHello; after that only
 * the dialing side ("outbound") sends: its members (hello, snapshot, state each), a first
 * heartbeat marking the end of that initial announcement, then changes, messages and heartbeats.
 * The accepting side ("inbound") receives them. Writes are batched per event-loop turn and
 * respect backpressure.
 */
export class BusLink implements FrameSink, Flushable {
  flushQueued = false;
  /** The other side, once its PeerHello arrived. */
  peer: PeerHello | undefined;
  /** Set by every frame received; the bus's liveness check clears it each heartbeat interval. */
  heard = true;
  /** The first heartbeat arrived: it follows the other side's initial member announcements. */
  synced = false;
  /** Consecutive heartbeat intervals without a frame. */
  silentIntervals = 0;
  closed = false;
  private readonly out = new FrameBuffer();
  private readonly reader = new FrameReader(this);
  private readonly messages = new MessageFrameDecoder();
  private blocked = false;
  /** Over half its pending limit: client producers that feed it pause (outputStall), as for any output. */
  private stalled = false;
  private heartbeatSeq = 0;

  constructor(
    readonly socket: Socket,
    readonly direction: 'inbound' | 'outbound',
    private readonly events: LinkEvents,
    private readonly settings: LinkSettings,
    selfHello: PeerHello,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => {
      this.blocked = false;
      this.flush();
      this.updateStall();
    });
    socket.on('error', (err) => this.close(err.message));
    socket.on('close', () => this.close('connection closed'));
    this.sendFrame(selfHello);
  }

  get remoteAddress(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  sendFrame(frame: BusFrame): void {
    if (this.closed) return;
    this.out.writeFrame(encodeFrame(frame));
    this.queued();
  }

  sendMessage(msg: BusMessage, from: string, to: string): void {
    if (this.closed) return;
    this.out.writeMessage(msg, from, to);
    this.queued();
  }

  sendHeartbeat(senderId: string): void {
    this.sendFrame({ kind: 'heartbeat', memberId: senderId, seq: ++this.heartbeatSeq });
  }

  /** Bytes waiting to be written (ours and the socket's). */
  pendingBytes(): number {
    return this.out.length + this.socket.writableLength;
  }

  flush(): void {
    this.flushQueued = false;
    if (this.closed || this.blocked || this.out.length === 0) return;
    if (!this.socket.write(this.out.take())) this.blocked = true;
    // Nothing left in the socket's queue: the kernel has every taken byte, the store is free.
    else if (this.socket.writableLength === 0) this.out.reuseStore();
    this.updateStall();
  }

  /** A stalled link leaves the stall once what it holds is back under half its limit. */
  private updateStall(): void {
    if (this.stalled) this.stalled = outputStall.update(true, this.closed ? 0 : this.pendingBytes(), this.settings.maxPendingBytes);
  }

  /** Writes what is pending, then closes the connection gracefully. */
  end(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.updateStall();
    // Even when blocked: the socket queues it, and end() sends it before the FIN.
    if (this.out.length > 0) this.socket.write(this.out.take());
    // Released once the FIN is out, or after a grace period if the other side stopped reading.
    const socket = this.socket;
    socket.end(() => socket.destroy());
    setTimeout(() => socket.destroy(), END_GRACE_MS).unref();
    this.events.linkClosed(this, reason);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.updateStall();
    this.socket.destroy();
    this.events.linkClosed(this, reason);
  }

  frame(buf: Buffer, start: number, end: number): void {
    if (this.closed) return;
    this.heard = true;
    if (buf[start] === MESSAGE_FRAME_TAG && this.peer !== undefined) {
      const msg = this.messages.decode(buf, start, end);
      this.events.linkMessage(this, msg, this.messages.from, this.messages.to);
      return;
    }
    const frame = decodeFrame(buf.subarray(start, end));
    if (this.peer === undefined) {
      if (frame.kind !== 'peer') throw new Error(`expected PeerHello, got ${frame.kind}`);
      if (frame.protocol !== BUS_PROTOCOL) throw new Error(`peer speaks bus protocol ${frame.protocol}, we speak ${BUS_PROTOCOL}`);
      this.peer = frame;
      this.events.linkHello(this, frame);
    } else if (frame.kind !== 'heartbeat') {
      this.events.linkFrame(this, frame);
    } else if (!this.synced) {
      this.synced = true;
      this.events.linkSynced(this);
    }
  }

  private receive(chunk: Buffer): void {
    try {
      this.reader.push(chunk);
    } catch (err) {
      this.close(`protocol error: ${(err as Error).message}`);
    }
  }

  private queued(): void {
    const pending = this.out.length + this.socket.writableLength;
    const limit = this.settings.maxPendingBytes;
    if (pending > limit) {
      this.close(`slow consumer: more than ${limit} bytes pending`);
      return;
    }
    if (pending > limit / 2 && !this.stalled) this.stalled = outputStall.update(false, pending, limit);
    if (this.stalled) outputStall.feeding();
    this.settings.scheduler.schedule(this);
  }
}
