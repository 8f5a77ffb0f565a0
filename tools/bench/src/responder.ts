import { RawClient, type MessageHooks } from './raw-client.js';

const SPACE = 32;

/**
 * Answers every request on `subject` with a same-sized payload, publishing to the request's
 * reply subject once the request's payload has arrived. The reply frame is encoded once per
 * distinct reply subject and reused.
 */
export class Responder implements MessageHooks {
  private client: RawClient | undefined;
  private readonly payloadTail: Buffer;
  private replySubject = Buffer.alloc(0);
  private replyFrame = Buffer.alloc(0);
  private replyPending = false;

  private constructor(
    private readonly payloadSize: number,
    readonly onFailure: (error: Error) => void,
  ) {
    this.payloadTail = Buffer.concat([Buffer.alloc(payloadSize, 0x79), Buffer.from('\r\n', 'latin1')]);
  }

  static async start(port: number, subject: string, payloadSize: number, onFailure: (error: Error) => void): Promise<Responder> {
    const responder = new Responder(payloadSize, onFailure);
    const client = await RawClient.open(port, responder);
    responder.client = client;
    client.socket.write(`SUB ${subject} 1\r\n`, 'latin1');
    await client.flush(10_000);
    return responder;
  }

  /** `MSG <subject> <sid> <reply> <size>`: the reply subject sits between the third and fourth space. */
  onMessageHeader(line: Buffer, start: number, end: number): void {
    let spaces = 0;
    let replyStart = 0;
    let replyEnd = 0;
    for (let index = start; index < end; index++) {
      if (line[index] !== SPACE) continue;
      spaces++;
      if (spaces === 3) replyStart = index + 1;
      else if (spaces === 4) replyEnd = index;
    }
    if (spaces !== 4) {
      this.replyPending = false;
      return;
    }
    if (line.compare(this.replySubject, 0, this.replySubject.length, replyStart, replyEnd) !== 0) {
      this.replySubject = Buffer.from(line.subarray(replyStart, replyEnd));
      this.replyFrame = Buffer.concat([
        Buffer.from(`PUB ${this.replySubject.toString('latin1')} ${this.payloadSize}\r\n`, 'latin1'),
        this.payloadTail,
      ]);
    }
    this.replyPending = true;
  }

  onMessageEnd(): void {
    if (!this.replyPending || !this.client) return;
    this.replyPending = false;
    this.client.socket.write(this.replyFrame);
  }

  close(): void {
    this.client?.close();
  }
}
