import { createHash } from 'node:crypto';
import type { AccountDirectory, TrustConfig } from '@nats-ts/config';
import { natsJwt } from '@nats-ts/base';
import type { ClientGateway } from '../client-gateway.js';
import { SystemEntry, type SystemResponder } from './system-responder.js';

/** `$SYS.ACCOUNT.<acc>.CLAIMS.UPDATE` (nats-server's older subject) and `$SYS.REQ.ACCOUNT.<acc>.CLAIMS.UPDATE`. */
const ACCOUNT_UPDATE_SUBJECTS = [
  { subject: '$SYS.ACCOUNT.*.CLAIMS.UPDATE', accountToken: 2 },
  { subject: '$SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE', accountToken: 3 },
];

interface DecodedJwt {
  sub: string;
  iss: string;
  nats?: { type?: string; accounts?: unknown };
}

/**
 * The full resolver's side of the system account, as nats-server 2.9's DirAccResolver answers
 * it (server/accounts.go): account JWT updates (what `nsc push` sends), lookups, the list of
 * stored accounts and, with `allow_delete`, deletes signed by the operator. A stored change is
 * handed to `applied` with every stored JWT, to apply to connected clients.
 *
 * An update is stored whoever signed it, as nats-server does: an account whose JWT no trusted
 * operator signed is refused when its users connect. Pack requests are answered, but this
 * server sends none: it does not take other servers' directories, each stores the updates it
 * receives.
 */
export class ClaimsRequests {
  private readonly entries: SystemEntry[] = [];

  constructor(
    private readonly gateway: ClientGateway,
    private readonly responder: SystemResponder,
    private readonly systemAccount: string,
    private readonly directory: AccountDirectory,
    private readonly trust: Readonly<TrustConfig>,
    private readonly applied: (accountJwts: Map<string, string>) => void,
  ) {}

  /** Subscribes when this replica is the node's responder, unsubscribes when it no longer is. */
  update(): void {
    const answering = this.gateway.isFirstClientGateway();
    if (answering && this.entries.length === 0) this.subscribe();
    else if (!answering && this.entries.length > 0) this.stop();
  }

  stop(): void {
    for (const entry of this.entries.splice(0)) this.gateway.unsubscribeInternal(this.systemAccount, entry);
  }

  private subscribe(): void {
    for (const { subject, accountToken } of ACCOUNT_UPDATE_SUBJECTS) {
      this.entries.push(new SystemEntry(subject, (s, reply, body) => this.onUpdate(reply, body, s.split('.')[accountToken])));
    }
    this.entries.push(
      new SystemEntry('$SYS.REQ.CLAIMS.UPDATE', (_s, reply, body) => this.onUpdate(reply, body, undefined)),
      new SystemEntry('$SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP', (s, reply) => this.onLookup(reply, s.split('.')[3]!)),
      new SystemEntry('$SYS.REQ.CLAIMS.LIST', (_s, reply) => this.onList(reply)),
      new SystemEntry('$SYS.REQ.CLAIMS.PACK', (_s, reply, body) => this.onPack(reply, body)),
      new SystemEntry('$SYS.REQ.CLAIMS.DELETE', (_s, reply, body) => this.onDelete(reply, body)),
    );
    for (const entry of this.entries) this.gateway.subscribeInternal(this.systemAccount, entry);
  }

  /** An account JWT to store; `subjectAccount` is the account the subject names, when it names one. */
  private onUpdate(reply: string | undefined, body: Uint8Array, subjectAccount: string | undefined): void {
    let claims: DecodedJwt;
    try {
      claims = decodeJwt(Buffer.from(body).toString('utf8'));
      if (claims.nats?.type !== 'account') throw new Error('not account claim');
    } catch (err) {
      return this.respond(reply, 'n/a', 'jwt update resulted in error', err as Error);
    }
    if (!/^A[A-Z2-7]{55}$/.test(claims.sub)) return this.respond(reply, claims.sub, 'jwt validation failed', new Error(`validation errors: [${claims.sub} is not an account public key]`));
    const key = subjectAccount ?? claims.sub;
    if (claims.sub !== key) return this.respond(reply, key, 'jwt update resulted in error', new Error('subject does not match jwt content'));
    let changed: boolean;
    try {
      changed = this.directory.save(key, Buffer.from(body).toString('utf8'));
    } catch (err) {
      return this.respond(reply, key, 'jwt update resulted in error', err as Error);
    }
    if (changed) this.applyStored();
    this.respond(reply, key, 'jwt updated');
  }

  /** nats-server answers a lookup of a stored account with its JWT, and an unknown one not at all. */
  private onLookup(reply: string | undefined, key: string): void {
    if (reply === undefined) return;
    let jwt: string | undefined;
    try {
      jwt = this.directory.load(key);
    } catch {
      jwt = undefined;
    }
    if (jwt === undefined) {
      this.gateway.logger.error(`Merging resulted in error: no JWT stored for ${key}`);
      return;
    }
    this.gateway.publishInternal(this.systemAccount, reply, Buffer.from(jwt, 'utf8'));
  }

  /** The stored accounts whose JWT has not expired, as nats-server walks its directory. */
  private listed(): [string, string][] {
    const nowSec = Date.now() / 1000;
    const out: [string, string][] = [];
    for (const key of this.directory.keys()) {
      const jwt = this.directory.load(key);
      if (jwt === undefined) continue;
      try {
        const exp = (natsJwt().decode<unknown>(jwt) as { exp?: number }).exp ?? 0;
        if (exp > 0 && exp < nowSec) continue;
      } catch {
        // Listed as nats-server lists a JWT it cannot decode.
      }
      out.push([key, jwt]);
    }
    return out;
  }

  private onList(reply: string | undefined): void {
    if (reply === undefined) return;
    this.responder.send(reply, { data: this.listed().map(([key]) => key), server: this.responder.serverInfo() });
  }

  /**
   * A pack request (how nats-server's full resolvers compare directories, and `nsc pull` reads
   * them): the body is the requester's directory hash. Unless it is ours, every stored JWT goes
   * back as `<key>|<jwt>`, one a message; an empty message ends the answer.
   */
  private onPack(reply: string | undefined, theirHash: Uint8Array): void {
    if (reply === undefined) return;
    if (!Buffer.from(theirHash).equals(this.directoryHash())) {
      for (const [key, jwt] of this.listed()) this.gateway.publishInternal(this.systemAccount, reply, Buffer.from(`${key}|${jwt}`, 'utf8'));
    }
    this.gateway.publishInternal(this.systemAccount, reply, Buffer.alloc(0));
  }

  /** nats-server's directory hash: the SHA-256 digests of the stored JWTs XORed together. */
  private directoryHash(): Buffer {
    const hash = Buffer.alloc(32);
    for (const key of this.directory.keys()) {
      const jwt = this.directory.load(key);
      if (jwt === undefined) continue;
      const digest = createHash('sha256').update(jwt).digest();
      for (let i = 0; i < hash.length; i++) hash[i]! ^= digest[i]!;
    }
    return hash;
  }

  /**
   * A delete request: a JWT the operator (or one of its signing keys) issued about itself,
   * listing the accounts in `accounts`, as `nsc delete account` sends it.
   */
  private onDelete(reply: string | undefined, body: Uint8Array): void {
    let subject = '';
    let accounts: string[];
    try {
      const claims = decodeJwt(Buffer.from(body).toString('utf8'));
      subject = claims.sub;
      accounts = this.deletable(claims);
    } catch (err) {
      return this.respond(reply, '', `delete accounts request by ${subject} failed`, err as Error);
    }
    const errors: string[] = [];
    for (const key of accounts) {
      try {
        this.directory.delete(key);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    const deleted = accounts.length - errors.length;
    if (deleted > 0) this.applyStored();
    if (errors.length === 0) this.respond(reply, '', `deleted ${deleted} accounts`);
    else this.respond(reply, '', `deleted ${deleted} accounts, failed for ${errors.length}`, new Error(errors.join('\n')));
  }

  /** The accounts a delete request may delete; throws nats-server's reason when it may not. */
  private deletable(claims: DecodedJwt): string[] {
    if (this.directory.allowDelete !== true) throw new Error('delete must be enabled in server config');
    if (claims.sub !== claims.iss) throw new Error('not self signed');
    if (!this.firstOperatorKeys().has(claims.iss)) throw new Error('not trusted');
    const list = claims.nats?.accounts;
    if (!Array.isArray(list)) throw new Error('malformed request');
    for (const entry of list) {
      if (typeof entry !== 'string' || !/^A[A-Z2-7]{55}$/.test(entry)) throw new Error('malformed request');
      if (entry === this.systemAccount) throw new Error('not allowed to delete system account');
    }
    return list as string[];
  }

  /** As nats-server: only the first operator's key and signing keys may delete. */
  private firstOperatorKeys(): Set<string> {
    const first = this.trust.operatorJwts[0];
    if (first === undefined) return new Set();
    const operator = natsJwt().decode<{ signing_keys?: (string | { key: string })[] }>(first) as { sub: string; nats?: { signing_keys?: (string | { key: string })[] } };
    return new Set([operator.sub, ...(operator.nats?.signing_keys ?? []).map((k) => (typeof k === 'string' ? k : k.key))]);
  }

  private applyStored(): void {
    const jwts = new Map<string, string>();
    for (const key of this.directory.keys()) {
      const jwt = this.directory.load(key);
      if (jwt !== undefined) jwts.set(key, jwt);
    }
    this.applied(jwts);
  }

  /** nats-server's respondToUpdate: `data` with code 200, or `error` with code 500, logged either way. */
  private respond(reply: string | undefined, account: string, message: string, err?: Error): void {
    const about = account === '' ? '' : ` - ${account}`;
    if (err === undefined) this.gateway.logger.debug(`${message}${about}`);
    else this.gateway.logger.error(`${message}${about} - ${err.message}`);
    if (reply === undefined) return;
    const body: Record<string, unknown> = account === '' ? {} : { account };
    if (err === undefined) {
      body.code = 200;
      body.message = message;
      this.responder.send(reply, { data: body, server: this.responder.serverInfo() });
    } else {
      body.code = 500;
      body.description = `${message} - ${err.message}`;
      this.responder.send(reply, { error: body, server: this.responder.serverInfo() });
    }
  }
}

/** A JWT's claims, its signature checked; a wrong chunk count or signature reported in nats-server's words. */
function decodeJwt(text: string): DecodedJwt {
  const chunks = text.split('.');
  if (chunks.length !== 3) throw new Error('expected 3 chunks');
  try {
    return natsJwt().decode<unknown>(text) as DecodedJwt;
  } catch (err) {
    if ((err as Error).message !== 'sig verification failed') throw err;
    const v2 = Buffer.from(chunks[0]!, 'base64url').toString('utf8').includes('ed25519-nkey');
    throw new Error(`claim failed ${v2 ? 'V2' : 'V1'} signature verification`);
  }
}
