import { clearArray } from '@nats-ts/base';
import { AccountRegistry, type Account } from '../account.js';
import { configureSharing, type SharingSpec } from './configure-sharing.js';
import { forwardMask } from './delivery-policy.js';
import { KIND_BIT } from './interest-kind.js';
import { pickForPublisher, pickNamed } from './queue-policy.js';
import { SharedInterestTally, type SharedInterestListener } from './shared-interest.js';
import type { RouterEntry, RouterLink, RouterOrigin } from './router-entry.js';

export type RouterAccount = Account<RouterEntry>;

/** The links one message goes out on; one per nesting level, as a link's send may route again. */
class LinkFanout {
  readonly links: RouterLink[] = [];
}

/**
 * The interest of one process: per account, one sublist whose entries say what they are (a
 * client's subscription, an internal subscriber, a route peer, a gateway, a leaf connection, a bus
 * member elsewhere). A message is matched once and delivered to every kind of target by the
 * delivery and queue policies beside this file: subscribers directly, links once each with the
 * queue groups they were chosen for.
 */
export class InterestRouter {
  readonly accounts = new AccountRegistry<RouterEntry>();
  /**
   * The traceparent of the message being routed, set only while it is delivered (synchronously),
   * so subscribers' deliveries continue its trace. Undefined when it carries none.
   */
  activeTrace: string | undefined;
  /** The interest what accounts share needs, for other servers, leafs and processes to hear of. */
  private readonly sharedInterest = new SharedInterestTally();
  /** The configuration the accounts' sharing was last built from. */
  private sharingSpec: SharingSpec | undefined;
  private pass = 0;
  private depth = 0;
  private readonly fanouts: LinkFanout[] = [];

  /**
   * Sets up the accounts' imports, exports and mappings, once: every routed role of the process
   * passes the same configuration (the server's options), so that every process imports what it
   * routes. Throws an Error naming where a mapping that cannot be built was written.
   */
  configureSharing(spec: SharingSpec): void {
    if (this.sharingSpec !== undefined) return;
    this.sharingSpec = spec;
    configureSharing(this, spec, this.sharedInterest);
  }

  /**
   * On a configuration reload: rebuilds every account's imports, exports and mappings from
   * `spec` (once per spec, whichever routed role of the process asks first), keeping the
   * accounts' interest, and announces only the shared interest that appeared or went. Replies
   * still waiting for a response across accounts are dropped with the old exports. Throws, before
   * anything changes, an Error naming where a mapping or an import that cannot be built was written.
   */
  reconfigureSharing(spec: SharingSpec): void {
    if (spec === this.sharingSpec) return;
    configureSharing(new InterestRouter(), spec, new SharedInterestTally());
    this.sharingSpec = spec;
    this.sharedInterest.rebuild(() => {
      for (const account of this.accounts.all()) {
        account.mapper = undefined;
        account.sharing = undefined;
        account.importDemand = undefined;
      }
      configureSharing(this, spec, this.sharedInterest);
    });
  }

  /**
   * Tells `listener` of the interest what accounts share needs (an imported stream's subject in
   * the exporter while the importer has subscribers here, response and service import subjects),
   * now and as it changes: the member that announces it on the bus. One listener per router.
   */
  watchSharedInterest(listener: SharedInterestListener): void {
    this.sharedInterest.watch(listener);
  }

  account(name: string): RouterAccount {
    return this.accounts.getOrCreate(name);
  }

  /**
   * Whether a message published in `account` on `subject` would be taken here: by an entry, or
   * by what the account shares (a stream import whose importer has subscribers, a service import).
   */
  hasInterest(account: RouterAccount, subject: string): boolean {
    const match = account.sublist.match(subject);
    if (match.plain.length > 0 || match.queues.length > 0) return true;
    return account.sharing?.wants(subject) ?? false;
  }

  /** Adds an entry; throws InvalidSubjectError for a subject no sublist takes. */
  insert(account: string, entry: RouterEntry): void {
    const target = this.accounts.getOrCreate(account);
    const demand = target.importDemand;
    if (demand === undefined) {
      target.sublist.insert(entry);
      return;
    }
    const before = target.sublist.count;
    target.sublist.insert(entry);
    if (target.sublist.count !== before) demand.inserted(entry);
  }

  remove(account: string, entry: RouterEntry): boolean {
    const target = this.accounts.get(account);
    if (target === undefined || !target.sublist.remove(entry)) return false;
    target.importDemand?.removed(entry);
    return true;
  }

  /**
   * A message published on this server (by a client, an internal publisher): every plain entry
   * its origin may reach and one member of each queue group. True when anything took it.
   *
   * `deliverAs`: the subject subscribers see when it differs from the one matched (a JetStream
   * delivery matches the consumer's deliver subject and shows the stored subject). Links carry
   * it as nats-server does, after an `@` in the reply.
   */
  publish(
    account: RouterAccount,
    origin: RouterOrigin,
    subject: string,
    reply: string | undefined,
    headerSize: number,
    data: Uint8Array,
    start: number,
    end: number,
    traceparent: string | undefined,
    deliverAs?: string,
  ): boolean {
    // A client's subject goes through its account's mappings before interest is matched.
    const mapper = account.mapper;
    if (mapper !== undefined && origin.originKind === 'client') {
      const mapped = mapper.map(subject);
      if (mapped === undefined) return false;
      subject = mapped;
    }
    return this.route(account, origin, undefined, undefined, subject, reply, headerSize, data, start, end, traceparent, deliverAs);
  }

  /**
   * A message that came over a link (or the bus) for this server: the plain entries its origin may
   * reach and, for each queue group the sender named, one member. With `owner`, only that bus
   * member's entries (the sender picked the member).
   */
  deliverRouted(
    account: RouterAccount,
    origin: RouterOrigin,
    owner: string | undefined,
    queues: readonly string[],
    subject: string,
    reply: string | undefined,
    headerSize: number,
    data: Uint8Array,
    start: number,
    end: number,
    traceparent: string | undefined,
  ): boolean {
    // A JetStream delivery from another server names the subject to show after an `@`.
    let deliverAs: string | undefined;
    if (reply !== undefined) {
      const at = reply.indexOf('@');
      if (at >= 0) {
        deliverAs = reply.slice(at + 1);
        reply = at === 0 ? undefined : reply.slice(0, at);
      }
    }
    // A leaf connection's subject goes through the account's mappings (a route's and a gateway's
    // were mapped where published, a message relayed by another process of this server there).
    const mapper = account.mapper;
    if (mapper !== undefined && origin.originKind === 'leaf' && owner === undefined) {
      const mapped = mapper.map(subject);
      if (mapped === undefined) return false;
      subject = mapped;
    }
    return this.route(account, origin, owner, queues, subject, reply, headerSize, data, start, end, traceparent, deliverAs);
  }

  private route(
    account: RouterAccount,
    origin: RouterOrigin,
    owner: string | undefined,
    named: readonly string[] | undefined,
    subject: string,
    reply: string | undefined,
    headerSize: number,
    data: Uint8Array,
    start: number,
    end: number,
    traceparent: string | undefined,
    deliverAs: string | undefined,
  ): boolean {
    const delivered = this.deliver(account, origin, owner, named, subject, reply, headerSize, data, start, end, traceparent, deliverAs);
    // Then on to the accounts that import from this one, or that this one imports from. A message
    // addressed to one member (relayed by another process of this server) was imported there.
    const sharing = account.sharing;
    if (sharing === undefined) return delivered;
    return sharing.forward(this, owner !== undefined, origin, subject, reply, headerSize, data, start, end, traceparent, deliverAs) || delivered;
  }

  private deliver(
    account: RouterAccount,
    origin: RouterOrigin,
    owner: string | undefined,
    named: readonly string[] | undefined,
    subject: string,
    reply: string | undefined,
    headerSize: number,
    data: Uint8Array,
    start: number,
    end: number,
    traceparent: string | undefined,
    deliverAs: string | undefined,
  ): boolean {
    const result = account.sublist.match(subject);
    const shown = deliverAs ?? subject;
    const plain = result.plain;
    const groups = result.queues;
    if (plain.length === 0 && groups.length === 0) return false;
    const mask = origin.forwards ?? forwardMask(origin.originKind);
    const fanout = (this.fanouts[this.depth] ??= new LinkFanout());
    const links = fanout.links;
    const pass = ++this.pass;
    const outerTrace = this.activeTrace;
    this.activeTrace = traceparent;
    this.depth++;
    let delivered = false;
    try {
      for (let i = 0; i < plain.length; i++) {
        const entry = plain[i]!;
        if ((mask & KIND_BIT[entry.kind]) === 0 || (owner !== undefined && entry.owner !== owner)) continue;
        const link = entry.link;
        if (link === undefined) {
          if (!entry.accepts(origin)) continue;
          entry.deliver(shown, reply, headerSize, data, start, end);
          delivered = true;
        } else if (link.mark !== pass) {
          // Asked once per message: a link that refuses it is not asked again for its other entries.
          link.mark = pass;
          clearArray(link.queueScratch);
          if (link.accepts === undefined || link.accepts(origin, subject)) links.push(link);
        }
      }
      for (let g = 0; g < groups.length; g++) {
        const group = groups[g]!;
        const name = group[0]!.queue!;
        let chosen: RouterEntry | undefined;
        if (named === undefined) chosen = pickForPublisher(group, origin, mask, subject);
        else if (named.includes(name)) chosen = pickNamed(group, origin, mask, owner, subject);
        if (chosen === undefined) continue;
        delivered = true;
        const link = chosen.link;
        if (link === undefined) {
          chosen.deliver(shown, reply, headerSize, data, start, end);
          continue;
        }
        if (link.mark !== pass) {
          link.mark = pass;
          clearArray(link.queueScratch);
          links.push(link);
        }
        link.queueScratch.push(name);
      }
      if (links.length > 0) {
        delivered = true;
        // Links carry the subject to show after an `@` in the reply (made only when a link takes it).
        const linkReply = deliverAs === undefined ? reply : `${reply ?? ''}@${deliverAs}`;
        for (let i = 0; i < links.length; i++) {
          const link = links[i]!;
          link.sendRouted(account.name, subject, linkReply, link.queueScratch, headerSize, data, start, end, traceparent, origin);
        }
      }
    } finally {
      clearArray(links);
      this.depth--;
      this.activeTrace = outerTrace;
    }
    return delivered;
  }
}

