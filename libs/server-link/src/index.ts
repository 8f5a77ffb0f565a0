export { ServerLink, type LinkHost, type LinkLimits } from './server-link.js';
export { ClosedState } from './closed-state.js';
export { listen, peerAddress, type BoundAddress } from './listen.js';
export { MutualLinkTls, TlsAcceptor, tlsFiles, type AcceptTlsOptions, type LinkTlsConfig, type LinkTlsKind } from './link-tls.js';
export { LinkDialer } from './link-dialer.js';
export { LinkTraffic, type LinkCounters } from './link-traffic.js';
