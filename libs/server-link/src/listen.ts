import { isIPv4, type Server } from 'node:net';

export interface BoundAddress {
  host: string;
  port: number;
}

const IPV4_MAPPED_PREFIX = '::ffff:';

/**
 * Listens on host:port (-1 or 0: a free port) and reports the port actually bound. With
 * `dualStack`, `0.0.0.0` is taken as nats-server (Go) takes it: the unspecified address of both
 * families, so IPv6 clients connect too; a machine without IPv6 gets IPv4 alone. Sockets accepted
 * that way name IPv4 peers as `::ffff:a.b.c.d`: see peerAddress.
 */
export async function listen(server: Server, host: string, port: number, dualStack = false): Promise<BoundAddress> {
  if (!dualStack || host !== '0.0.0.0') return listenOn(server, host, host, port);
  try {
    return await listenOn(server, '::', host, port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') throw err;
    return listenOn(server, host, host, port);
  }
}

function listenOn(server: Server, bindHost: string, host: string, port: number): Promise<BoundAddress> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port < 0 ? 0 : port, bindHost, () => {
      server.off('error', reject);
      const addr = server.address();
      if (addr === null || typeof addr === 'string') return reject(new Error(`listener on ${host} has no address`));
      resolve({ host, port: addr.port });
    });
  });
}

/** A peer's address as nats-server reports it: an IPv4 peer of a dual-stack listener in IPv4 form. */
export function peerAddress(address: string | undefined): string {
  if (address === undefined) return '';
  const unmapped = address.slice(IPV4_MAPPED_PREFIX.length);
  return address.toLowerCase().startsWith(IPV4_MAPPED_PREFIX) && isIPv4(unmapped) ? unmapped : address;
}
