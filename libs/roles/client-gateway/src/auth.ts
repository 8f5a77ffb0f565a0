import type { Permissions, ServerOptions, UserConfig } from '@nats-ts/config';
import { passwordMatches } from '@nats-ts/routing';

/** The credentials a client presents in CONNECT. */
export interface ClientCredentials {
  user?: string;
  pass?: string;
  authToken?: string;
}

export interface AuthResult {
  /** The user name the connection is bound to (absent for token or anonymous). */
  user?: string;
  account: string;
  permissions?: Permissions;
}

export const GLOBAL_ACCOUNT = '$G';

/**
 * Decides who a client is, from the server's auth configuration, as nats-server does:
 * a users list (with no_auth_user as the fallback), else a token, else a single user.
 */
export class Authenticator {
  private readonly users = new Map<string, UserConfig>();
  readonly required: boolean;

  constructor(private readonly options: ServerOptions) {
    const auth = options.auth;
    for (const u of auth.users) this.users.set(u.user, u);
    for (const acc of options.accounts) for (const u of acc.users) this.users.set(u.user, { ...u, account: acc.name });
    this.required = this.users.size > 0 || auth.token !== undefined || auth.user !== undefined;
  }

  /**
   * Whether the user these credentials name still exists, in the same account (users-list
   * auth only; other modes have no user to lose).
   */
  knowsSameBinding(creds: ClientCredentials, previous: AuthResult): boolean {
    if (this.users.size === 0 || previous.user === undefined) return true;
    const user = this.users.get(previous.user);
    return user !== undefined && (user.account ?? GLOBAL_ACCOUNT) === previous.account && (creds.user ?? previous.user) === previous.user;
  }

  /** Returns the binding for these credentials, or undefined for an authorization violation. */
  authenticate(creds: ClientCredentials): AuthResult | undefined {
    if (!this.required) return { account: GLOBAL_ACCOUNT };
    const auth = this.options.auth;
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
        account: user.account ?? GLOBAL_ACCOUNT,
        permissions: user.permissions ?? auth.defaultPermissions,
      };
    }
    if (auth.token !== undefined) {
      return passwordMatches(auth.token, creds.authToken ?? '') ? { account: GLOBAL_ACCOUNT } : undefined;
    }
    if (auth.user !== undefined) {
      if (creds.user !== auth.user) return undefined;
      return passwordMatches(auth.password ?? '', creds.pass ?? '') ? { user: auth.user, account: GLOBAL_ACCOUNT } : undefined;
    }
    return undefined;
  }
}
