import type { EndpointSpec } from '@nats-ts/lifecycle';
import { knownAccountNames } from '@nats-ts/config';
import { formatGoTime } from '@nats-ts/observability';
import type { ClientGateway } from '../client-gateway.js';
import { accountStatOf, leafConnectionsByAccount } from '../monitor-endpoints.js';
import { accountDetail } from './account-detail.js';
import { accountConnsEvent } from './client-events.js';
import type { ServerRequest } from './request-options.js';
import { SystemEntry, type SystemResponder } from './system-responder.js';

/** The monitoring path each `$SYS.REQ.ACCOUNT.<acc>.<name>` built from one is answered from. */
const ACCOUNT_PATHS = { CONNZ: '/connz', SUBSZ: '/subsz', LEAFZ: '/leafz', JSZ: '/jsz' } as const;

/** The account token of `$SYS.REQ.ACCOUNT.<acc>.<name>`. */
const ACCOUNT_TOKEN = 3;

/**
 * The system account's requests about one account, as nats-server 2.9.10 answers them
 * (server/events.go, its monAccSrvc): `$SYS.REQ.ACCOUNT.<acc>.CONNZ|SUBSZ|LEAFZ|JSZ|INFO|STATZ`
 * in the `server`/`data` envelope, `$SYS.REQ.ACCOUNT.PING.STATZ` for every account with
 * connections here, and `$SYS.REQ.ACCOUNT.<acc>.CONNS` answered with the account connections
 * event, only by a server where the account has clients.
 */
export class AccountRequests {
  constructor(
    private readonly gateway: ClientGateway,
    private readonly endpoints: () => ReadonlyMap<string, EndpointSpec>,
    /** The account detail's `update_time`: when the configuration was loaded. */
    private readonly configLoaded: Date,
  ) {}

  /** The subscriptions to add to the system account's, answered through `system`. */
  entries(system: SystemResponder): SystemEntry[] {
    const entries: SystemEntry[] = [];
    for (const name of ['CONNZ', 'SUBSZ', 'LEAFZ', 'JSZ', 'INFO', 'STATZ'] as const) {
      entries.push(
        new SystemEntry(`$SYS.REQ.ACCOUNT.*.${name}`, (subject, reply, body) => {
          const account = subject.split('.')[ACCOUNT_TOKEN]!;
          // As nats-server: PING.STATZ has its own subscription, which answers it.
          if (reply === undefined || (name === 'STATZ' && account === 'PING')) return;
          system.respond(reply, name, body, (request) => this.document(name, account, request));
        }),
      );
    }
    entries.push(
      new SystemEntry('$SYS.REQ.ACCOUNT.PING.STATZ', (_subject, reply, body) => {
        if (reply !== undefined) system.respond(reply, 'STATZ', body, (request) => this.statz(undefined, request));
      }),
      new SystemEntry('$SYS.REQ.ACCOUNT.*.CONNS', (subject, reply, body) => this.conns(system, subject.split('.')[ACCOUNT_TOKEN]!, reply, body)),
    );
    return entries;
  }

  private async document(name: 'CONNZ' | 'SUBSZ' | 'LEAFZ' | 'JSZ' | 'INFO' | 'STATZ', account: string, request: ServerRequest): Promise<unknown> {
    if (name === 'INFO') return accountDetail(this.gateway, account, await this.leafs(), this.configLoaded);
    if (name === 'STATZ') return this.statz(account, request);
    const query: Record<string, string> = { ...request.query, acc: account };
    // As nats-server: an account's SUBSZ lists its subscriptions.
    if (name === 'SUBSZ') query.subs = '1';
    if (name === 'JSZ') query.accounts = '1';
    const document = await this.endpoint(ACCOUNT_PATHS[name]).handler(query);
    return name === 'JSZ' ? this.jetStreamAccount(account, document as JszDocument) : document;
  }

  /** nats-server's JszAccount: the account's own JetStream detail, or why there is none. */
  private jetStreamAccount(account: string, jsz: JszDocument): unknown {
    if (jsz.disabled === true) throw new Error('jetstream not enabled');
    if (!this.knows(account)) throw new Error(`account "${account}" not found`);
    const detail = jsz.account_details?.find((d) => d.name === account);
    if (detail === undefined) throw new Error(`account "${account}" not jetstream enabled`);
    return detail;
  }

  /**
   * nats-server's AccountStatz for one account (or, for PING, those the body's `accounts`
   * names, else all): only accounts with clients here unless `include_unused`; no reply
   * when that leaves none, unless `include_unused`.
   */
  private async statz(account: string | undefined, request: ServerRequest): Promise<unknown> {
    const { accounts, include_unused: includeUnused = false } = request.options;
    if (accounts !== undefined && accounts !== null && !(Array.isArray(accounts) && accounts.every((a) => typeof a === 'string'))) {
      throw new Error('json: cannot unmarshal the STATZ "accounts" option: a list of account names is expected');
    }
    if (typeof includeUnused !== 'boolean') throw new Error('json: cannot unmarshal the STATZ "include_unused" option: a boolean is expected');
    const known = new Set([...knownAccountNames(this.gateway.options), ...this.gateway.accounts.all().map((a) => a.name)]);
    const wanted = account !== undefined ? [account] : Array.isArray(accounts) && accounts.length > 0 ? (accounts as string[]) : [...known];
    const leafs = await this.leafs();
    const stats = wanted
      .filter((name) => known.has(name))
      .map((name) => accountStatOf(this.gateway, name, leafs))
      .filter((stat) => includeUnused || (stat.conns as number) > 0);
    if (stats.length === 0 && !includeUnused) return undefined;
    return { server_id: this.gateway.serverId, now: formatGoTime(Date.now()), account_statz: stats };
  }

  /**
   * `$SYS.REQ.ACCOUNT.<acc>.CONNS`: the account connections event, sent to the reply by a server
   * with clients of the account. A body, when sent, must name the same account (`acc`); as
   * nats-server, a request it cannot read is logged and not answered.
   */
  private conns(system: SystemResponder, account: string, reply: string | undefined, body: Uint8Array): void {
    if (reply === undefined) return;
    if (body.length > 0) {
      let named: unknown;
      try {
        named = (JSON.parse(Buffer.from(body).toString('utf8')) as { acc?: unknown } | null)?.acc;
      } catch (err) {
        this.gateway.logger.error(`Error unmarshalling account connections request message: ${(err as Error).message}`);
        return;
      }
      if (named !== undefined && named !== account) {
        this.gateway.logger.error('Error unmarshalled account does not match subject');
        return;
      }
    }
    if (!this.knows(account)) return;
    this.leafs().then(
      (leafs) => {
        const stat = accountStatOf(this.gateway, account, leafs);
        if ((stat.conns as number) > 0) system.send(reply, accountConnsEvent(system, stat));
      },
      (err: Error) => this.gateway.logger.error(`Account connections request for ${account}: ${err.message}`),
    );
  }

  private knows(account: string): boolean {
    return knownAccountNames(this.gateway.options).includes(account) || this.gateway.accounts.get(account) !== undefined;
  }

  private async leafs(): Promise<Map<string, number>> {
    return leafConnectionsByAccount(await this.endpoints().get('/leafz')?.handler({}));
  }

  private endpoint(path: string): EndpointSpec {
    const endpoint = this.endpoints().get(path);
    if (endpoint === undefined) throw new Error(`${path} is not served by this server`);
    return endpoint;
  }
}

interface JszDocument {
  disabled?: boolean;
  account_details?: { name: string }[];
}
