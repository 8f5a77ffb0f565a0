import { passwordMatches } from './password.js';

/** A route's or gateway's single user (`cluster` / `gateway { authorization { user, password } }`). */
export interface LinkUser {
  readonly user?: string;
  readonly password?: string;
}

/** Whether a peer server's CONNECT passes: any peer when no user is configured, as nats-server. */
export function linkCredentialsPass(configured: LinkUser | undefined, user: string | undefined, pass: string | undefined): boolean {
  if (configured?.user === undefined) return true;
  return user === configured.user && passwordMatches(configured.password, pass);
}
