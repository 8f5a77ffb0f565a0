export { Authenticator, type AuthResult, type ClientCredentials, type ClientPeer } from './authenticator.js';
export { certificateNames, NO_CERTIFICATE, type CertificateNames } from './certificate-names.js';
export { parseUserCreds, signNonce, type UserCreds } from './creds.js';
export { OperatorTrust, smallerLimit, type JwtConnectionType, type JwtLimits, type JwtPermissions, type JwtRefusal, type JwtUser } from './jwt-trust.js';
export { leafAccount, leafAuthRequired, leafJwtAccount, leafUsesJwt, type LeafJwtPermissions } from './leaf-auth.js';
export { linkCredentialsPass, type LinkUser } from './link-auth.js';
export { newNonce, nkeySignatureValid } from './nkey.js';
export { passwordMatches } from './password.js';
