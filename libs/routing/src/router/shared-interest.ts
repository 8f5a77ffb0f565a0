import { subjectsCollide } from '../subject.js';
import { KIND_BIT } from './interest-kind.js';
import type { RouterEntry } from './router-entry.js';

/**
 * Interest this server holds for what accounts share: in the exporter, an imported stream's
 * subject while the importer has subscribers for it here, and its response subject; in the
 * importer, its service imports' subjects. Other servers, leaf nodes and processes must hear of
 * them (as they hear of nats-server's shadow subscriptions, service and response imports) to
 * send those messages here.
 */
export interface SharedInterest {
  readonly account: string;
  readonly subject: string;
}

/** Told when a shared interest appears (`add`) or goes. */
export type SharedInterestListener = (interest: SharedInterest, add: boolean) => void;

/** Subscribers a stream import delivers to, whose presence makes it wanted: those of this server. */
const DEMANDING_KINDS = KIND_BIT.client | KIND_BIT.internal | KIND_BIT.leaf | KIND_BIT.node;

/** One stream import, watched in the importer: how many entries there want it. */
export interface WatchedImport {
  readonly to: string;
  readonly interest: SharedInterest;
  wanting: number;
}

/**
 * The shared interest of one router, counted per (account, subject), and its listener (the
 * member that announces it on the bus).
 */
export class SharedInterestTally {
  private readonly counts = new Map<string, { interest: SharedInterest; count: number }>();
  private listener: SharedInterestListener | undefined;

  /** Sets the listener; it is told at once of the interest held now. */
  watch(listener: SharedInterestListener): void {
    this.listener = listener;
    for (const { interest } of this.counts.values()) listener(interest, true);
  }

  /**
   * Counts the interest anew as `build` adds it, then tells the listener only of what went and
   * what appeared since before.
   */
  rebuild(build: () => void): void {
    const before = new Map(this.counts);
    const listener = this.listener;
    this.counts.clear();
    this.listener = undefined;
    try {
      build();
    } finally {
      this.listener = listener;
    }
    for (const [key, held] of before) if (!this.counts.has(key)) listener?.(held.interest, false);
    for (const [key, held] of this.counts) if (!before.has(key)) listener?.(held.interest, true);
  }

  change(interest: SharedInterest, add: boolean): void {
    const key = `${interest.account} ${interest.subject}`;
    const held = this.counts.get(key);
    if (add) {
      if (held !== undefined) {
        held.count++;
        return;
      }
      this.counts.set(key, { interest, count: 1 });
    } else {
      if (held === undefined) return;
      if (--held.count > 0) return;
      this.counts.delete(key);
    }
    this.listener?.(interest, add);
  }
}

/**
 * The stream imports of one importing account, each wanted while an entry of this server in the
 * importer collides with its subject there (nats-server's shadow subscriptions): watched on
 * every insert and remove of the importer's entries, never per message.
 */
export class ImportDemand {
  private readonly imports: WatchedImport[] = [];

  constructor(private readonly tally: SharedInterestTally) {}

  /** Watches a stream import delivered under `to`, counting the importer's entries already there. */
  add(to: string, interest: SharedInterest, existing: readonly RouterEntry[]): WatchedImport {
    const watched: WatchedImport = { to, interest, wanting: 0 };
    this.imports.push(watched);
    for (const entry of existing) this.count(watched, entry, 1);
    return watched;
  }

  inserted(entry: RouterEntry): void {
    for (const watched of this.imports) this.count(watched, entry, 1);
  }

  removed(entry: RouterEntry): void {
    for (const watched of this.imports) this.count(watched, entry, -1);
  }

  private count(watched: WatchedImport, entry: RouterEntry, delta: 1 | -1): void {
    if ((DEMANDING_KINDS & KIND_BIT[entry.kind]) === 0 || !subjectsCollide(entry.subject, watched.to)) return;
    watched.wanting += delta;
    if (delta === 1 && watched.wanting === 1) this.tally.change(watched.interest, true);
    else if (delta === -1 && watched.wanting === 0) this.tally.change(watched.interest, false);
  }
}
