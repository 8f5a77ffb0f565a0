import { networkInterfaces } from 'node:os';
import type { MemberState } from '@nats-ts/bus';
import { joinHostPort, parseAdvertise } from '@nats-ts/base';

/**
 * The cluster as clients see it in INFO: `cluster` and `connect_urls`, from the states other bus
 * members announce (a route-mesh announces its peers' client URLs and the cluster name).
 * As nats-server, connect_urls is absent until some other server's URL is known; from then on it
 * lists this server's own URLs first, then the others.
 */
export class ClusterAdvertisement {
  private ownUrls: readonly string[] = [];
  private readonly states = new Map<string, MemberState>();
  private connectUrls: string[] | undefined;
  private clusterName: string | undefined;

  /** Sets this server's own client URLs (known once the listener is bound). */
  setOwnUrls(urls: readonly string[]): void {
    this.ownUrls = urls;
    this.recompute();
  }

  /** Records (or with undefined, forgets) a member's state; true when what clients see changed. */
  setMemberState(memberId: string, state: MemberState | undefined): boolean {
    if (state === undefined) {
      if (!this.states.delete(memberId)) return false;
    } else {
      this.states.set(memberId, state);
    }
    return this.recompute();
  }

  /** Adds `cluster` and, unless `noAdvertise`, `connect_urls` to an INFO object. */
  addTo(info: Record<string, unknown>, noAdvertise: boolean): void {
    if (this.clusterName !== undefined) info.cluster = this.clusterName;
    if (!noAdvertise && this.connectUrls !== undefined) info.connect_urls = this.connectUrls;
  }

  private recompute(): boolean {
    let cluster: string | undefined;
    const others: string[] = [];
    for (const state of this.states.values()) {
      cluster ??= state.cluster;
      for (const url of state.clientUrls) {
        if (!this.ownUrls.includes(url) && !others.includes(url)) others.push(url);
      }
    }
    const urls = others.length > 0 || this.connectUrls !== undefined ? [...this.ownUrls, ...others] : undefined;
    const changed = cluster !== this.clusterName || !sameList(urls, this.connectUrls);
    this.clusterName = cluster;
    this.connectUrls = urls;
    return changed;
  }
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((url, i) => url === b[i]);
}

/**
 * The host:port URLs clients can use to reach a listener, as nats-server computes them: the
 * advertise address when set, else the bound host, or every non-loopback address of this machine
 * when bound to all interfaces.
 */
export function clientConnectUrls(advertise: string | undefined, host: string, port: number): string[] {
  if (advertise !== undefined && advertise !== '') {
    const advertised = parseAdvertise(advertise, port);
    return [joinHostPort(advertised.host, advertised.port)];
  }
  if (host === '0.0.0.0' || host === '::') {
    const urls: string[] = [];
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) {
        if (a.internal || (a.family === 'IPv6' && (host !== '::' || a.address.startsWith('fe80')))) continue;
        urls.push(joinHostPort(a.address, port));
      }
    }
    if (urls.length > 0) return urls;
  }
  return [joinHostPort(host, port)];
}
