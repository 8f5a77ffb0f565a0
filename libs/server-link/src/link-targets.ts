import { clearArray } from '@nats-ts/protocol';

/** What a link needs to be chosen for a message (ServerLink has it). */
export interface ChoosableLink {
  /** The choosing pass that last took this link. */
  mark: number;
  /** The queue groups the link carries the current message for. */
  readonly queueScratch: string[];
}

/**
 * The links one message goes out on, each once, with the queue groups it is chosen for. A pass
 * number marks the links taken, so nothing is allocated per message (hot path).
 */
export class LinkTargets<L extends ChoosableLink> {
  readonly links: L[] = [];
  private pass = 0;

  /** Starts choosing for a new message. */
  begin(): void {
    this.pass++;
    clearArray(this.links);
  }

  has(link: L): boolean {
    return link.mark === this.pass;
  }

  /** Takes the link for the message (once, however often it is added). */
  add(link: L): void {
    if (link.mark === this.pass) return;
    link.mark = this.pass;
    clearArray(link.queueScratch);
    this.links.push(link);
  }

  /** Takes the link for the message and one of its queue groups. */
  addForQueue(link: L, queue: string): void {
    this.add(link);
    link.queueScratch.push(queue);
  }
}
