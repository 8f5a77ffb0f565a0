import { SystemEntry } from './system-responder.js';

/** nats-server forgets a server it has not heard from for this long (orphMax: 5 heartbeats of 30 s). */
const ORPHAN_MS = 5 * 30_000;

/**
 * The other servers this one hears of in the system account, for STATSZ's `active_servers`, as
 * nats-server keeps them (server/events.go remoteServerUpdate): a server counts from its
 * STATSZ (of the same JetStream domain, or either without one) until its SHUTDOWN event or
 * until it has been silent past ORPHAN_MS.
 */
export class RemoteServers {
  /** Server id → when it was last heard of. */
  private readonly lastHeard = new Map<string, number>();

  constructor(
    private readonly ownId: string,
    private readonly ownDomain: () => string,
  ) {}

  /** The subscriptions to add to the system account's. */
  entries(): SystemEntry[] {
    return [
      new SystemEntry('$SYS.SERVER.*.STATSZ', (subject, _reply, body) => this.heard(subject.split('.')[2]!, body)),
      new SystemEntry('$SYS.SERVER.*.SHUTDOWN', (subject) => this.lastHeard.delete(subject.split('.')[2]!)),
    ];
  }

  /** The servers heard of lately, this one not included. */
  count(): number {
    const oldest = Date.now() - ORPHAN_MS;
    for (const [id, at] of this.lastHeard) if (at < oldest) this.lastHeard.delete(id);
    return this.lastHeard.size;
  }

  private heard(id: string, body: Uint8Array): void {
    if (id === this.ownId) return;
    let domain: unknown;
    try {
      domain = (JSON.parse(Buffer.from(body).toString('utf8')) as { server?: { domain?: unknown } } | null)?.server?.domain;
    } catch {
      // As nats-server: a STATSZ it cannot read is ignored.
      return;
    }
    const own = this.ownDomain();
    if (typeof domain === 'string' && domain !== '' && own !== '' && domain !== own) return;
    this.lastHeard.set(id, Date.now());
  }
}
