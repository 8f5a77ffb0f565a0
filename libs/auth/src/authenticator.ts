import type { NkeyUserConfig, Permissions, ServerOptions, UserConfig } from '@nats-ts/config';
import type { Logger } from '@nats-ts/observability';
import { GLOBAL_ACCOUNT_NAME } from '@nats-ts/base';
import { parseDistinguishedName, sameName, sameRdns, type CertificateNames } from './certificate-names.js';
import { OperatorTrust, type JwtConnectionType, type JwtLimits } from './jwt-trust.js';
import { newNonce, nkeySignatureValid } from './nkey.js';
import { passwordMatches } from './password.js';

/** The credentials a client presents in CONNECT, and the nonce its `sig` must sign. */
export interface ClientCredentials {
  user?: string;
  pass?: string;
  authToken?: string;
  /** The public nkey the client claims (`U…`). */
  nkey?: string;
  /** Its signature of `nonce`. */
  sig?: string;
  /** A user JWT (operator mode). */
  jwt?: string;
  /** The challenge this connection's INFO carried (when nkey users are configured). */
  nonce?: string;
  /** Set where the listener maps certificates to users (`verify_and_map`): the certificate names the user, not CONNECT. */
  certificate?: CertificateNames;
}

export interface AuthResult {
  /** The user name, or an nkey user's public key, the connection is bound to (absent for token or anonymous). */
  user?: string;
  /** The user is an nkey user (`user` is its public key). */
  nkey?: true;
  /** The user is a JWT user (`user` is its public key, `account` its account's). */
  jwt?: true;
  account: string;
  permissions?: Permissions;
  /** A JWT user's expiry (ms since the epoch): the connection is closed then. */
  expiresAtMs?: number;
  /** A JWT user's account and user limits. */
  limits?: JwtLimits;
}

/** Where a connection comes from, for what JWT users may restrict. */
export interface ClientPeer {
  host: string;
  type: JwtConnectionType;
}

/**
 * Decides who a client is, from the server's auth configuration, as nats-server 2.9 does:
 * a claimed nkey, else a users list (with no_auth_user as the fallback), else a token, else a
 * single user.
 */
export class Authenticator {
  private readonly users = new Map<string, UserConfig>();
  private readonly nkeys = new Map<string, NkeyUserConfig>();
  /** Operator mode: every client is a JWT user, and nothing else is accepted. */
  private readonly trust: OperatorTrust | undefined;
  readonly required: boolean;

  constructor(
    private readonly options: ServerOptions,
    private readonly logger: Logger,
  ) {
    const auth = options.auth;
    this.trust = options.trust === undefined ? undefined : new OperatorTrust(options.trust.trustedKeys, options.trust.accountJwts);
    for (const u of auth.users) this.users.set(u.user, u);
    for (const n of auth.nkeys) this.nkeys.set(n.nkey, n);
    for (const acc of options.accounts) {
      for (const u of acc.users) this.users.set(u.user, { ...u, account: acc.name });
      for (const n of acc.nkeys) this.nkeys.set(n.nkey, { ...n, account: acc.name });
    }
    this.required = this.trust !== undefined || this.users.size > 0 || this.nkeys.size > 0 || auth.token !== undefined || auth.user !== undefined;
  }

  /** The challenge for a new connection's INFO: for nkey and JWT users, as nats-server. */
  nonceForInfo(): string | undefined {
    return this.nkeys.size > 0 || this.trust !== undefined ? newNonce() : undefined;
  }

  /**
   * Whether the user these credentials name still exists, in the same account (users-list
   * and nkey auth only; other modes have no user to lose).
   */
  knowsSameBinding(creds: ClientCredentials, previous: AuthResult): boolean {
    if (previous.user === undefined || previous.jwt) return true;
    if (previous.nkey) {
      const nkeyUser = this.nkeys.get(previous.user);
      return nkeyUser !== undefined && (nkeyUser.account ?? GLOBAL_ACCOUNT_NAME) === previous.account;
    }
    if (this.users.size === 0) return true;
    const user = this.users.get(previous.user);
    return user !== undefined && (user.account ?? GLOBAL_ACCOUNT_NAME) === previous.account && (creds.user ?? previous.user) === previous.user;
  }

  /** Returns the binding for these credentials, or undefined for an authorization violation. */
  authenticate(creds: ClientCredentials, peer: ClientPeer): AuthResult | undefined {
    const result = this.recheck(creds, peer);
    return typeof result === 'string' ? undefined : result;
  }

  /** As authenticate, telling apart a JWT user its account revoked, and one whose account is gone or expired (after a reload). */
  recheck(creds: ClientCredentials, peer: ClientPeer): AuthResult | 'revoked' | 'account expired' | undefined {
    if (!this.required) return { account: GLOBAL_ACCOUNT_NAME };
    if (this.trust !== undefined) return this.authenticateJwt(this.trust, creds, peer);
    const auth = this.options.auth;
    if (this.nkeys.size > 0 && creds.nkey !== undefined && creds.nkey !== '') {
      // A claimed nkey must be known and proven; nats-server then looks no further.
      const nkeyUser = this.nkeys.get(creds.nkey);
      if (nkeyUser === undefined || creds.nonce === undefined || creds.sig === undefined) return undefined;
      if (!nkeySignatureValid(nkeyUser.nkey, creds.nonce, creds.sig)) return undefined;
      return {
        user: nkeyUser.nkey,
        nkey: true,
        account: nkeyUser.account ?? GLOBAL_ACCOUNT_NAME,
        permissions: nkeyUser.permissions ?? auth.defaultPermissions,
      };
    }
    if (this.users.size > 0 && creds.certificate !== undefined) {
      const user = this.userOfCertificate(creds.certificate);
      // As nats-server: the mapped user's password (usually none) must still match CONNECT's.
      return user === undefined || !passwordMatches(user.password ?? '', creds.pass ?? '') ? undefined : { user: user.user, account: user.account ?? GLOBAL_ACCOUNT_NAME, permissions: user.permissions ?? auth.defaultPermissions };
    }
    if (this.users.size > 0) {
      let name = creds.user;
      let viaNoAuthUser = false;
      if ((name === undefined || name === '') && creds.pass === undefined && creds.authToken === undefined && auth.noAuthUser) {
        name = auth.noAuthUser;
        viaNoAuthUser = true;
      }
      const user = name === undefined ? undefined : this.users.get(name);
      if (user === undefined) return undefined;
      if (!viaNoAuthUser && !passwordMatches(user.password ?? '', creds.pass ?? '')) return undefined;
      return {
        user: user.user,
        account: user.account ?? GLOBAL_ACCOUNT_NAME,
        permissions: user.permissions ?? auth.defaultPermissions,
      };
    }
    if (auth.token !== undefined) {
      return passwordMatches(auth.token, creds.authToken ?? '') ? { account: GLOBAL_ACCOUNT_NAME } : undefined;
    }
    if (auth.user !== undefined) {
      if (creds.user !== auth.user) return undefined;
      return passwordMatches(auth.password ?? '', creds.pass ?? '') ? { user: auth.user, account: GLOBAL_ACCOUNT_NAME } : undefined;
    }
    return undefined;
  }

  private authenticateJwt(trust: OperatorTrust, creds: ClientCredentials, peer: ClientPeer): AuthResult | 'revoked' | 'account expired' | undefined {
    const proved = trust.authenticate(creds.jwt, creds.nonce, creds.sig, { host: peer.host, type: peer.type, nowMs: Date.now() });
    if ('refused' in proved) {
      // nats-server logs why at debug level only; the client hears Authorization Violation.
      this.logger.debug(`JWT authentication: ${proved.refused}`);
      if (proved.revoked) return 'revoked';
      return proved.accountExpired ? 'account expired' : undefined;
    }
    const result: AuthResult = { user: proved.userKey, jwt: true, account: proved.accountKey, limits: proved.limits };
    if (proved.permissions !== undefined) result.permissions = proved.permissions;
    if (proved.expiresAtMs !== undefined) result.expiresAtMs = proved.expiresAtMs;
    return result;
  }

  /**
   * The user a certificate names, tried as nats-server 2.9 tries them: its SAN e-mails, DNS
   * names and URIs as user names, then users listed by a DN equal to the subject, then by one
   * with the same parts in another order.
   */
  private userOfCertificate(cert: CertificateNames): UserConfig | undefined {
    for (const name of [...cert.emails, ...cert.dnsNames, ...cert.uris]) {
      const user = this.users.get(name);
      if (user !== undefined) return user;
    }
    if (cert.subject.length === 0) return undefined;
    const listedByName: Array<[UserConfig, NonNullable<ReturnType<typeof parseDistinguishedName>>]> = [];
    for (const user of this.users.values()) {
      const dn = parseDistinguishedName(user.user);
      if (dn === undefined) continue;
      if (sameName(dn, cert.subject)) return user;
      listedByName.push([user, dn]);
    }
    return listedByName.find(([, dn]) => sameRdns(dn, cert.subject))?.[0];
  }
}
