import type { BusEndpoint, BusHandlers, BusMessage, InterestChange, MemberInfo, MemberState } from './types.js';

/** A message as a RecordingMember keeps it: text, and only the fields the message had. */
export interface RecordedMessage {
  subject: string;
  reply?: string;
  payload: string;
  header?: string;
  queues?: string[];
}

/**
 * A bus member standing in for another role in a role's tests (usually the client-gateway):
 * records the interest (`+$G foo q 1`), messages and states it hears.
 */
export class RecordingMember implements BusHandlers {
  readonly interests: string[] = [];
  readonly messages: RecordedMessage[] = [];
  readonly states: MemberState[] = [];
  endpoint!: BusEndpoint;

  memberJoined(_member: MemberInfo): void {}
  memberLeft(_member: MemberInfo): void {}

  interest(_from: MemberInfo, c: InterestChange): void {
    this.interests.push(`${c.add ? '+' : '-'}${c.account} ${c.subject}${c.queue ? ` ${c.queue}` : ''} ${c.weight}`);
  }

  message(_from: MemberInfo, msg: BusMessage): void {
    this.messages.push({
      subject: msg.subject,
      ...(msg.reply ? { reply: msg.reply } : {}),
      payload: Buffer.from(msg.data.subarray(msg.headerSize)).toString(),
      ...(msg.headerSize > 0 ? { header: Buffer.from(msg.data.subarray(0, msg.headerSize)).toString() } : {}),
      ...(msg.queues ? { queues: [...msg.queues] } : {}),
    });
  }

  memberState(_from: MemberInfo, state: MemberState): void {
    this.states.push(state);
  }

  /** The member id of the (first) member with this role, to send it messages. */
  memberIdOf(role: MemberInfo['role']): string {
    const member = this.endpoint.members().find((m) => m.role === role);
    if (member === undefined) throw new Error(`no ${role} on the bus`);
    return member.memberId;
  }
}
