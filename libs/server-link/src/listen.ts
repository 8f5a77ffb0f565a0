import type { Server } from 'node:net';

export interface BoundAddress {
  host: string;
  port: number;
}

/** Listens on host:port (-1 or 0: a free port) and reports the port actually bound. */
export function listen(server: Server, host: string, port: number): Promise<BoundAddress> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port < 0 ? 0 : port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      if (addr === null || typeof addr === 'string') return reject(new Error(`listener on ${host} has no address`));
      resolve({ host, port: addr.port });
    });
  });
}
