export { MutualLinkTls, TlsAcceptor, tlsFiles, type AcceptTlsOptions, type LinkTlsConfig, type LinkTlsKind } from './link-tls.js';
