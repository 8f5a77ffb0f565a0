import { Sublist } from '../sublist.js';
import type { SublistEntry } from '../sublist-result.js';
import { SubjectTransform } from '../subject-transform.js';
import { tokenizeWildcards } from '../subject-mapping.js';
import { forwardMask } from './delivery-policy.js';
import { KIND_BIT } from './interest-kind.js';
import type { InterestRouter, RouterAccount } from './interest-router.js';
import type { ResponseRoutes, ResponseType } from './response-routes.js';
import type { RouterOrigin } from './router-entry.js';
import { sampled, type ServiceLatencySpec } from './service-latency.js';
import type { WatchedImport } from './shared-interest.js';

/**
 * One entry of an account's sharing sublist: a stream import's tap in the exporting account, a
 * service import in the importing account, or the response routes of an exporting account. It
 * takes the message after the account's own subscribers did, and routes it on in another
 * account (nats-server's stream and service imports, its `_R_` response service imports).
 */
export interface SharingEntry extends SublistEntry {
  /**
   * True for an import (a stream tap, a service import): a message another process of this
   * server relayed here was imported there already. False for response routes, which take a
   * response wherever it comes from.
   */
  readonly imports: boolean;
  /** Whether a message on its subject would be taken (a stream import's, while the importer has subscribers here). */
  readonly wanted: boolean;
  forward(
    router: InterestRouter,
    origin: RouterOrigin,
    subject: string,
    reply: string | undefined,
    headerSize: number,
    data: Uint8Array,
    start: number,
    end: number,
    traceparent: string | undefined,
    /** The subject subscribers are shown, when a delivery names another (a JetStream push delivery). */
    deliverAs: string | undefined,
  ): boolean;
}

/**
 * What crosses from or into one account: the entries whose subjects route a message on to
 * another account. Only accounts with imports or exports have one, so the others pay nothing.
 */
export class AccountSharing {
  readonly entries = new Sublist<SharingEntry>();
  /** Replies mapped back to requesters of other accounts, when this account exports a service. */
  responses: ResponseRoutes | undefined;

  /**
   * Routes a message of this account on through every entry it matches (only to response routes
   * when `relayed`: another process of this server imported it); true when any took it.
   */
  forward(
    router: InterestRouter,
    relayed: boolean,
    origin: RouterOrigin,
    subject: string,
    reply: string | undefined,
    headerSize: number,
    data: Uint8Array,
    start: number,
    end: number,
    traceparent: string | undefined,
    deliverAs: string | undefined,
  ): boolean {
    const plain = this.entries.match(subject).plain;
    let delivered = false;
    for (let i = 0; i < plain.length; i++) {
      const entry = plain[i]!;
      if (relayed && entry.imports) continue;
      if (entry.forward(router, origin, subject, reply, headerSize, data, start, end, traceparent, deliverAs)) delivered = true;
    }
    return delivered;
  }

  /** Whether an entry would take a message on `subject` (for publishers that look for interest first). */
  wants(subject: string): boolean {
    const plain = this.entries.match(subject).plain;
    for (let i = 0; i < plain.length; i++) if (plain[i]!.wanted) return true;
    return false;
  }
}

/** Mapped subjects kept per import at most; emptied past it. */
const TRANSFORM_CACHE_MAX = 1024;

/** A subject rewrite from one account's subjects to another's, cached per published subject. */
export class SubjectRewrite {
  private readonly cache = new Map<string, string>();

  private constructor(private readonly transform: SubjectTransform | undefined) {}

  /**
   * `from` → `to` (its `*` tokens take the published subject's in order); the published subject
   * itself when they are the same. Undefined when nats-server would refuse the transform.
   */
  static of(from: string, to: string): SubjectRewrite | undefined {
    if (from === to) return new SubjectRewrite(undefined);
    const transform = SubjectTransform.from(from, tokenizeWildcards(to));
    return transform === undefined ? undefined : new SubjectRewrite(transform);
  }

  apply(subject: string): string {
    const transform = this.transform;
    if (transform === undefined) return subject;
    let mapped = this.cache.get(subject);
    if (mapped === undefined) {
      mapped = transform.apply(subject) ?? subject;
      if (this.cache.size >= TRANSFORM_CACHE_MAX) this.cache.clear();
      this.cache.set(subject, mapped);
    }
    return mapped;
  }
}

/**
 * Where a message routed on through an import enters the other account: as an internal
 * publisher, reaching the kinds in `forwards`, sent on as from the member the original came
 * through (set before each use; the routing is synchronous).
 */
export class ImportOrigin implements RouterOrigin {
  readonly originKind = 'internal';
  originMember = '';
  constructor(readonly forwards: number) {}
}

/**
 * Kinds a stream import delivers to in the importer: what is local to this server (its other
 * processes included); other servers import the exporter's messages themselves.
 */
const STREAM_IMPORT_REACH = KIND_BIT.client | KIND_BIT.internal | KIND_BIT.leaf | KIND_BIT.node;

/**
 * A stream import's tap, in the exporting account on the imported subject: the exporter's
 * messages reach the importer's subscribers on this server under the import's subject (the
 * prefix or `to` applied).
 */
export class StreamImportTap implements SharingEntry {
  readonly queue = undefined;
  readonly imports = true;
  private readonly origin = new ImportOrigin(STREAM_IMPORT_REACH);

  constructor(
    readonly subject: string,
    /** The exporter's subject to the importer's. */
    private readonly rewrite: SubjectRewrite,
    private readonly importer: RouterAccount,
    private readonly demand: WatchedImport,
  ) {}

  get wanted(): boolean {
    return this.demand.wanting > 0;
  }

  forward(
    router: InterestRouter,
    origin: RouterOrigin,
    subject: string,
    reply: string | undefined,
    headerSize: number,
    data: Uint8Array,
    start: number,
    end: number,
    traceparent: string | undefined,
    deliverAs: string | undefined,
  ): boolean {
    this.origin.originMember = origin.originMember;
    return router.publish(this.importer, this.origin, this.rewrite.apply(subject), reply, headerSize, data, start, end, traceparent, deliverAs);
  }
}

/** Kinds whose requests a service import takes: those published on this server (a route's and a gateway's were imported where they were published). */
const SERVICE_IMPORT_TAKES = KIND_BIT.client | KIND_BIT.internal | KIND_BIT.leaf;

/**
 * A service import, in the importing account on its local subject (`to`): a request there goes
 * to the exporter's responders on the exported subject, its reply mapped to a `_R_` subject of
 * the exporter that routes the response back to the requester.
 */
export class ServiceImport implements SharingEntry {
  readonly queue = undefined;
  readonly imports = true;
  readonly wanted = true;
  private readonly origin = new ImportOrigin(forwardMask('internal'));

  constructor(
    /** The importer's subject requesters publish to. */
    readonly subject: string,
    /** The importer's subject to the exported one. */
    private readonly rewrite: SubjectRewrite,
    private readonly importer: RouterAccount,
    private readonly exporter: RouterAccount,
    private readonly responses: ResponseRoutes,
    private readonly responseType: ResponseType,
    private readonly thresholdMs: number,
    private readonly share: boolean,
    private readonly latency: ServiceLatencySpec | undefined,
  ) {}

  forward(
    router: InterestRouter,
    origin: RouterOrigin,
    subject: string,
    reply: string | undefined,
    headerSize: number,
    data: Uint8Array,
    start: number,
    end: number,
    traceparent: string | undefined,
  ): boolean {
    if ((SERVICE_IMPORT_TAKES & KIND_BIT[origin.originKind]) === 0) return false;
    let to = this.rewrite.apply(subject);
    const mapper = this.exporter.mapper;
    if (mapper !== undefined) {
      const mapped = mapper.map(to);
      if (mapped === undefined) return true;
      to = mapped;
    }
    const latency = this.latency;
    const measurement =
      latency !== undefined && reply !== undefined && origin.clientInfo !== undefined && sampled(latency)
        ? { latency, requestor: origin, share: this.share, startMs: Date.now(), startNs: process.hrtime.bigint() }
        : undefined;
    const mappedReply = reply === undefined ? undefined : this.responses.add(this.importer, reply, this.responseType, this.thresholdMs, this.share, measurement);
    this.origin.originMember = origin.originMember;
    const request = withRequestInfo(this.importer.name, origin.rttMs ?? 0, headerSize, data, start, end);
    const infoSize = request.length - (end - start) + headerSize;
    const delivered = router.publish(this.exporter, this.origin, to, mappedReply, infoSize, request, 0, request.length, traceparent);
    // As nats-server: a request no responder took leaves no response route behind.
    if (!delivered && mappedReply !== undefined) this.responses.drop(mappedReply);
    return true;
  }
}

const REQUEST_INFO = 'Nats-Request-Info:';

/**
 * The request with nats-server's `Nats-Request-Info` header (the requester's account and round
 * trip in ns) added last to its headers, as a service import adds it; a request that has one
 * (imported twice) keeps it.
 */
function withRequestInfo(account: string, rttMs: number, headerSize: number, data: Uint8Array, start: number, end: number): Buffer {
  const message = Buffer.from(data.buffer, data.byteOffset + start, end - start);
  if (headerSize > 0 && message.subarray(0, headerSize).includes(REQUEST_INFO, 0, 'latin1')) return message;
  const line = `${REQUEST_INFO} {"acc":${JSON.stringify(account)},"rtt":${Math.round(rttMs * 1e6)}}\r\n\r\n`;
  // A header block ends with an empty line: the new line goes before it.
  const head = headerSize > 0 ? message.subarray(0, headerSize - 2) : Buffer.from('NATS/1.0\r\n', 'latin1');
  const out = Buffer.allocUnsafe(head.length + Buffer.byteLength(line, 'latin1') + message.length - headerSize);
  let at = head.copy(out, 0);
  at += out.write(line, at, 'latin1');
  message.copy(out, at, headerSize);
  return out;
}
