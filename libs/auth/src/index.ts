export { Authenticator, type AuthResult, type ClientCredentials, type ClientPeer } from './authenticator.js';
export { certificateNames, NO_CERTIFICATE } from './certificate-names.js';
export { parseUserCreds, signNonce } from './creds.js';
export { OperatorTrust, smallerLimit } from './jwt-trust.js';
export { leafAccount, leafAuthRequired, leafJwtAccount, leafUsesJwt, type LeafJwtPermissions } from './leaf-auth.js';
export { linkCredentialsPass } from './link-auth.js';
