import type { Permissions } from '@nats-ts/routing';

/** What this server's JetStream is, as a leaf connection's rules need it. */
export interface LocalJetStream {
  readonly enabled: boolean;
  readonly domain?: string;
}

/** The subjects of a JetStream API that serves its own clients: never crossing a leaf link. */
const LOCAL_JETSTREAM_SUBJECTS = ['$JS.API.>', '$KV.>', '$OBJ.>'];

/**
 * nats-server 2.9's JetStream denies on a leaf connection of a server running JetStream: its
 * clients' plain API (and KV, object store) stays local both ways, and with another domain on
 * the other side, requests for our own domain's API are not sent there either. The
 * domain-prefixed API of the other side, and mirror and source traffic, cross.
 */
export function withJetStreamDenies(base: Permissions | undefined, local: LocalJetStream, peerDomain: string | undefined): Permissions | undefined {
  if (!local.enabled) return base;
  const publishDeny = [...LOCAL_JETSTREAM_SUBJECTS];
  if (local.domain !== undefined && local.domain !== (peerDomain ?? '')) publishDeny.push(`$JS.${local.domain}.API.>`);
  return {
    publish: { ...base?.publish, deny: [...(base?.publish?.deny ?? []), ...publishDeny] },
    subscribe: { ...base?.subscribe, deny: [...(base?.subscribe?.deny ?? []), ...LOCAL_JETSTREAM_SUBJECTS] },
  };
}
