export { ConnectionCore } from './connection-core.js';
export { ServerLink } from './server-link.js';
export { ClosedState } from './closed-state.js';
export { closeListenerAndLinks } from './close-links.js';
export { listen, peerAddress, type BoundAddress } from './listen.js';
// TLS (node:tls) is its own entry, `@nats-ts/server-link/tls`, loaded only where TLS is configured.
export type { MutualLinkTls, TlsAcceptor } from './link-tls.js';
export { LinkDialer } from './link-dialer.js';
export { LinkTraffic } from './link-traffic.js';
