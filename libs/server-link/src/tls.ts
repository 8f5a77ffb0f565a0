export { MutualLinkTls, TlsAcceptor, tlsFiles } from './link-tls.js';
