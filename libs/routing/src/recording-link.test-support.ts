import type { RouterLink } from './router/router-entry.js';

/** A link (route, leaf, gateway connection) as the router sees it, in role tests: it records what it was sent. */
export class RecordingLink implements RouterLink {
  mark = 0;
  readonly queueScratch: string[] = [];
  /** `subject` or `subject q1,q2` per message. */
  readonly sent: string[] = [];

  constructor(readonly account: string) {}

  sendRouted(_account: string, subject: string, _reply: string | undefined, queues: readonly string[]): void {
    this.sent.push(queues.length > 0 ? `${subject} ${queues.join(',')}` : subject);
  }
}
