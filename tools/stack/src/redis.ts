import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

export interface StackRedis {
  readonly url: string;
  /** Started by the stack (and stopped with it), rather than found running. */
  readonly started: boolean;
  stop(): Promise<void>;
}

/** Sends PING; resolves true on +PONG, false when nothing listens, rejects when something else answers. */
function ping(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let answer = '';
    socket.setTimeout(2_000, () => {
      socket.destroy();
      reject(new Error(`something on ${host}:${port} does not answer like Redis`));
    });
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (!answer.includes('\r\n')) return;
      socket.destroy();
      if (answer.startsWith('+PONG')) resolve(true);
      else reject(new Error(`${host}:${port} answered PING with ${JSON.stringify(answer.trim())}, not like Redis`));
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') resolve(false);
      else reject(err);
    });
  });
}

/** Uses the Redis on host:port, or starts redis-server there (no persistence) when none answers. */
export async function ensureRedis(host: string, port: number): Promise<StackRedis> {
  const url = `redis://${host}:${port}`;
  if (await ping(host, port)) return { url, started: false, stop: () => Promise.resolve() };
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new Error(`cannot start redis-server: ${err.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  failed.catch(() => undefined);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await Promise.race([ping(host, port), failed])) break;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${host}:${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    started: true,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
