import type { OutboundBuffer } from './outbound.js';


/** The `gateway_cmd` values of a gateway INFO (nats-server 2.9). */
export const GatewayCommand = {
  /** Sent over routes: a gateway this server connected to (gossip). */
  Gossip: 1,
  /** The account is switching to interest-only: its plain interest follows as RS+. */
  AllSubsStart: 2,
  /** The account's interest has been sent: it is interest-only from now on. */
  AllSubsComplete: 3,
} as const;
export type GatewayCommand = (typeof GatewayCommand)[keyof typeof GatewayCommand];

/** The identity part of a command INFO: nats-server leaves all but the id and name at their zero values. */
function commandIdentity(serverId: string, serverName: string): Record<string, unknown> {
  return { server_id: serverId, server_name: serverName, version: '', proto: 0, go: '', host: '', port: 0, headers: false, max_payload: 0 };
}

/**
 * A gateway command INFO, with the empty identity fields nats-server sends with it:
 * `INFO {"server_id":"",…,"gateway":"<own>","gateway_cmd":n,"gateway_cmd_payload":"<base64 account>"}`.
 */
export function encodeGatewayCommand(gateway: string, command: GatewayCommand, account: string): Buffer {
  const info = {
    ...commandIdentity('', ''),
    gateway,
    gateway_cmd: command,
    gateway_cmd_payload: Buffer.from(account, 'utf8').toString('base64'),
  };
  return Buffer.from(`INFO ${JSON.stringify(info)}\r\n`, 'utf8');
}

/**
 * Gossip about a remote cluster's gateway (`gateway_cmd` 1), so that the receiver dials it too.
 * nats-server sends it to a new inbound gateway under its server id with no name, and over
 * routes under `GW<server id>` with its configured name (an id no route peer takes for a server).
 */
export function encodeGatewayGossip(serverId: string, serverName: string, gateway: string, urls: readonly string[]): Buffer {
  const info = {
    ...commandIdentity(serverId, serverName),
    gateway,
    gateway_urls: urls,
    gateway_cmd: GatewayCommand.Gossip,
  };
  return Buffer.from(`INFO ${JSON.stringify(info)}\r\n`, 'utf8');
}

/** A gateway INFO (no trailing space, unlike a route's first INFO). */
export function encodeGatewayInfo(info: object): Buffer {
  return Buffer.from(`INFO ${JSON.stringify(info)}\r\n`, 'utf8');
}

/** `A+ <account>\r\n`: the account has interest again (optimistic mode). */
export function writeAccountSub(out: OutboundBuffer, account: string): void {
  out.writeLatin1('A+ ');
  out.writeLatin1(account);
  out.writeCrlf();
}

/** `A- <account>\r\n`: send nothing more for this account (unknown here, or no interest). */
export function writeAccountUnsub(out: OutboundBuffer, account: string): void {
  out.writeLatin1('A- ');
  out.writeLatin1(account);
  out.writeCrlf();
}
