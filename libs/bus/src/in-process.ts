import { Logger } from '@nats-ts/observability';
import { LocalMembers, NO_REMOTE_SIDE } from './local-members.js';
import type { BusEndpoint, BusHandlers, BusTransport, JoinInfo } from './types.js';

export interface InProcessBusOptions {
  /** Where handler failures and (at debug level) membership changes are logged; stderr by default. */
  logger?: Logger;
}

/**
 * The bus between role services in one process. Everything is synchronous and passes objects
 * as they are: a message reaches the receiver's handler inside the sender's send() call, with
 * the sender's buffers (valid only during that call), with no encoding and no copies.
 */
export class InProcessBus implements BusTransport {
  private readonly members: LocalMembers;

  constructor(options: InProcessBusOptions = {}) {
    this.members = new LocalMembers((info, n) => `${info.nodeId}/${info.role}/${n}`, options.logger ?? new Logger(), NO_REMOTE_SIDE);
  }

  join(info: JoinInfo, handlers: BusHandlers): Promise<BusEndpoint> {
    return this.members.join(info, handlers);
  }
}
