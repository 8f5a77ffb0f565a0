import type { GatewayUrls } from '@nats-ts/bus';

/**
 * The route side of gateway discovery, as nats-server 2.9 does it: every server of a cluster must
 * know the gateway URLs of the others (route INFO `gateway_url`, listed in the gateway INFO's
 * `gateway_urls`) and dial every remote cluster any of them reached (gossip INFO with
 * `gateway_cmd` 1 on routes). This node's supercluster-gateway tells route-mesh its URL and the
 * clusters it reached; route-mesh tells it what the peers said.
 */
export class GatewayGossip {
  /** This node's gateway URL (host:port), for our route INFO. */
  ownUrl: string | undefined;
  /** Remote clusters this node's gateway has an outbound connection to: every peer hears of them. */
  private reached: readonly GatewayUrls[] = [];
  /** Remote clusters peers told of, with every URL heard for each. */
  private readonly heard = new Map<string, string[]>();

  /** The node's gateway reported the clusters it reached; true when one is new or has new URLs. */
  setReached(gateways: readonly GatewayUrls[]): boolean {
    const changed = gateways.some((g) => !this.reached.some((known) => known.name === g.name && sameUrls(known.urls, g.urls)));
    this.reached = gateways;
    return changed;
  }

  /** The gossip a peer has not had yet, as [key, gateway] pairs: the caller sends and remembers the keys. */
  *untold(told: ReadonlySet<string>): Generator<[string, GatewayUrls]> {
    for (const gateway of this.reached) {
      const key = `${gateway.name} ${gateway.urls.join(',')}`;
      if (!told.has(key)) yield [key, gateway];
    }
  }

  /** A peer told of a remote cluster; true when that taught us something. */
  hear(name: string, urls: readonly string[]): boolean {
    let known = this.heard.get(name);
    const isNew = known === undefined;
    if (known === undefined) {
      known = [];
      this.heard.set(name, known);
    }
    let added = false;
    for (const url of urls) {
      if (!known.includes(url)) {
        known.push(url);
        added = true;
      }
    }
    return isNew || added;
  }

  /** The remote clusters the peers told of, for the node's gateway to dial. */
  heardGateways(): GatewayUrls[] {
    return [...this.heard].map(([name, urls]) => ({ name, urls }));
  }
}

function sameUrls(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((url, i) => url === b[i]);
}
