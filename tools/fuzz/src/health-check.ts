import { connect } from 'node:net';

const CHECK_TIMEOUT_MS = 5_000;

/**
 * A well-behaved client's round trip: CONNECT, SUB, PUB to itself, PING. Resolves once its
 * message and the PONG came back; rejects when they do not within a few seconds.
 */
export function wellBehavedRoundTrip(port: number, round: number): Promise<void> {
  const subject = `fuzz.health.${round}`;
  const payload = `round ${round}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    let sent = false;
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`health check ${round}: ${why}; got ${JSON.stringify(received.slice(-300))}`));
    };
    const timer = setTimeout(() => fail(`no message and PONG within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (!sent) {
        sent = true;
        socket.write(
          `CONNECT {"verbose":false,"pedantic":false,"protocol":1}\r\nSUB ${subject} 1\r\nPUB ${subject} ${payload.length}\r\n${payload}\r\nPING\r\n`,
        );
      }
      if (received.includes(`MSG ${subject} 1 ${payload.length}\r\n${payload}\r\n`) && received.includes('PONG\r\n')) {
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        resolve();
      }
    });
    socket.once('error', (error) => fail(error.message));
    socket.once('close', () => fail('the server closed the connection'));
  });
}
