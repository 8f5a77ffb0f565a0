export interface StackOptions {
  host: string;
  /** client-gateway processes. */
  replicas: number;
  /** First client port (replica i listens on port + i); -1 picks free ports. */
  port: number;
  /** First monitoring port, as `port`; 0 turns monitoring off. */
  httpPort: number;
  /** route-mesh's route port; 0 runs no route-mesh. */
  clusterPort: number;
  /** Where Redis is, or is started when nothing answers there. */
  redisPort: number;
  /** The stream-store's store directory; undefined: one inside the stack's temporary directory. */
  storeDir?: string;
}

export const USAGE = `Usage: npm run stack -- [options]

Runs one nats-ts node as separate processes on this machine, the topology of docker-compose.yml
without Docker: redis-server (started unless one answers already), client-gateway replicas and a
route-mesh and a stream-store (JetStream), all on the TCP bus with Redis membership. Prints the client URLs; Ctrl-C stops
everything it started.

  --replicas N        client-gateway processes (default 2)
  --host HOST         address every listener binds to (default 127.0.0.1)
  --port P            first client port, replicas use P, P+1, ... (default 4222; -1: free ports)
  --http-port P       first monitoring port, as --port (default 8222; 0: no monitoring)
  --cluster-port P    route port of the route-mesh (default 6222; -1: a free port; 0: no route-mesh)
  --redis-port P      Redis port (default 6379)
  --store-dir DIR     where the stream-store keeps streams (default: a temporary directory,
                      removed when the stack stops)
  -h, --help          this text
`;

export class UsageError extends Error {}

function integer(flag: string, text: string | undefined, min: number, max: number): number {
  const value = text !== undefined && /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`${flag} needs a number from ${min} to ${max}, got ${text ?? 'nothing'}`);
  return value;
}

/** Parses the flags; returns undefined for --help. */
export function parseStackOptions(argv: readonly string[]): StackOptions | undefined {
  const options: StackOptions = { host: '127.0.0.1', replicas: 2, port: 4222, httpPort: 8222, clusterPort: 6222, redisPort: 6379 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    switch (flag) {
      case '-h':
      case '--help':
        return undefined;
      case '--replicas':
        options.replicas = integer(flag, value, 1, 64);
        break;
      case '--host':
        if (value === undefined) throw new UsageError('--host needs an address');
        options.host = value;
        break;
      case '--port':
        options.port = integer(flag, value, -1, 65535);
        break;
      case '--http-port':
        options.httpPort = integer(flag, value, -1, 65535);
        break;
      case '--cluster-port':
        options.clusterPort = integer(flag, value, -1, 65535);
        break;
      case '--redis-port':
        options.redisPort = integer(flag, value, 1, 65535);
        break;
      case '--store-dir':
        if (value === undefined) throw new UsageError('--store-dir needs a directory');
        options.storeDir = value;
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
    i++;
  }
  if (options.port === 0) throw new UsageError('--port 0 would turn clients away; use -1 for free ports');
  return options;
}

/** The port of the i-th process counting from `first` (-1 and 0 stay as they are). */
export function nthPort(first: number, i: number): number {
  return first > 0 ? first + i : first;
}
