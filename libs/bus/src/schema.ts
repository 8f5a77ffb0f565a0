import protobuf from 'protobufjs';
import { BUS_PROTO_FILE } from './bus-proto.js';
import { ROLES } from './types.js';
import type { BusMessage, InterestChange, MemberInfo, MemberState, Role } from './types.js';

/** One unit on a bus connection; `kind` names the BusFrame body in bus.proto. */
export type BusFrame =
  | { readonly kind: 'peer'; readonly peerId: string; readonly url: string; readonly protocol: number }
  | { readonly kind: 'hello'; readonly member: MemberInfo }
  | { readonly kind: 'gone'; readonly memberId: string }
  | { readonly kind: 'heartbeat'; readonly memberId: string; readonly seq: number }
  | { readonly kind: 'interest'; readonly change: InterestChange; readonly memberId?: string }
  | { readonly kind: 'snapshot'; readonly interests: readonly InterestChange[]; readonly memberId?: string }
  | { readonly kind: 'message'; readonly message: BusMessage; readonly from?: string; readonly to?: string }
  | { readonly kind: 'state'; readonly state: MemberState; readonly memberId?: string };

const busRoot = protobuf.loadSync(BUS_PROTO_FILE);
const busFrameType = busRoot.lookupType('natsts.bus.BusFrame');

/** The schema's number of each role (`client-gateway` is ROLE_CLIENT_GATEWAY). */
const ROLE_NUMBERS: ReadonlyMap<Role, number> = new Map(
  ROLES.map((role) => {
    const number = busRoot.lookupEnum('natsts.bus.Role').values[`ROLE_${role.toUpperCase().replace(/-/g, '_')}`];
    if (number === undefined) throw new Error(`bus.proto: no number for role ${role}`);
    return [role, number];
  }),
);
const ROLE_BY_NUMBER: ReadonlyMap<number, Role> = new Map([...ROLE_NUMBERS].map(([role, number]) => [number, role]));

/** The loaded schema, for tests that check the hand codec against it. */
export function busSchema(): protobuf.Root {
  return busRoot;
}

// Decoded protobufjs messages: proto3 defaults for absent fields (empty strings, empty bytes),
// 64-bit integers as Long objects.
interface WireInterest {
  account: string;
  subject: string;
  queue: string;
  weight: number;
  add: boolean;
  memberId?: string;
}
interface WireMessage {
  account: string;
  subject: string;
  reply: string;
  data: Uint8Array;
  headerSize: number;
  traceparent: string;
  originMember: string;
  queues: string[];
  fromMember: string;
  toMember: string;
}
interface WireState {
  clientUrls: string[];
  cluster: string;
  memberId?: string;
  gatewayUrl: string;
  clusterGatewayUrls: string[];
  gateways: { name: string; urls: string[] }[];
}
interface WireFrame {
  body?: BusFrame['kind'];
  peer?: { peerId: string; url: string; protocol: number };
  hello?: { nodeId: string; memberId: string; role: number; version: string };
  gone?: { memberId: string };
  heartbeat?: { memberId: string; seq: number | { toNumber(): number } };
  interest?: WireInterest;
  snapshot?: { interests: WireInterest[]; memberId: string };
  message?: WireMessage;
  state?: WireState;
}
// What encode accepts: absent optional fields are left out of the frame.
type WireFrameInput = Omit<WireFrame, 'body' | 'message' | 'snapshot' | 'state'> & {
  message?: Partial<WireMessage>;
  state?: Partial<WireState>;
  snapshot?: { interests: WireInterest[]; memberId?: string };
};

const EMPTY_BYTES = new Uint8Array(0);

function roleNumber(role: Role): number {
  return ROLE_NUMBERS.get(role)!;
}

function roleOf(value: number): Role {
  const role = ROLE_BY_NUMBER.get(value);
  if (role === undefined) throw new Error(`bus frame: unknown role ${value}`);
  return role;
}

function toWireInterest(change: InterestChange): WireInterest {
  return { account: change.account, subject: change.subject, queue: change.queue ?? '', weight: change.weight, add: change.add };
}

function fromWireInterest(wire: WireInterest): InterestChange {
  const change: InterestChange = { account: wire.account, subject: wire.subject, weight: wire.weight, add: wire.add };
  if (wire.queue !== '') change.queue = wire.queue;
  return change;
}

function toWireState(state: MemberState, memberId: string | undefined): Partial<WireState> {
  const wire: Partial<WireState> = { clientUrls: [...state.clientUrls], cluster: state.cluster ?? '', memberId };
  if (state.gatewayUrl !== undefined) wire.gatewayUrl = state.gatewayUrl;
  if (state.clusterGatewayUrls !== undefined) wire.clusterGatewayUrls = [...state.clusterGatewayUrls];
  if (state.gateways !== undefined) wire.gateways = state.gateways.map((g) => ({ name: g.name, urls: [...g.urls] }));
  return wire;
}

function toWireBody(frame: BusFrame): WireFrameInput {
  switch (frame.kind) {
    case 'peer':
      return { peer: { peerId: frame.peerId, url: frame.url, protocol: frame.protocol } };
    case 'gone':
      return { gone: { memberId: frame.memberId } };
    case 'hello': {
      const { member } = frame;
      return { hello: { nodeId: member.nodeId, memberId: member.memberId, role: roleNumber(member.role), version: member.version } };
    }
    case 'heartbeat':
      return { heartbeat: { memberId: frame.memberId, seq: frame.seq } };
    case 'interest':
      return { interest: { ...toWireInterest(frame.change), memberId: frame.memberId } };
    case 'snapshot':
      return { snapshot: { interests: frame.interests.map(toWireInterest), memberId: frame.memberId } };
    case 'state':
      return { state: toWireState(frame.state, frame.memberId) };
    case 'message': {
      const m = frame.message;
      return {
        message: {
          account: m.account,
          subject: m.subject,
          reply: m.reply,
          data: m.data,
          headerSize: m.headerSize,
          traceparent: m.traceparent,
          originMember: m.originMemberId,
          queues: m.queues as string[] | undefined,
          fromMember: frame.from,
          toMember: frame.to,
        },
      };
    }
  }
}

/** Encodes one frame as protobuf (without a length prefix). */
export function encodeFrame(frame: BusFrame): Uint8Array {
  return busFrameType.encode(toWireBody(frame)).finish();
}

/**
 * Decodes one frame. Byte fields are views into `bytes` (no copies), so they stay valid only as
 * long as `bytes` is not reused. Throws on malformed input or a frame without a body.
 */
export function decodeFrame(bytes: Uint8Array): BusFrame {
  const wire = busFrameType.decode(bytes) as unknown as WireFrame;
  switch (wire.body) {
    case 'peer': {
      const p = wire.peer!;
      return { kind: 'peer', peerId: p.peerId, url: p.url, protocol: p.protocol };
    }
    case 'gone':
      return { kind: 'gone', memberId: wire.gone!.memberId };
    case 'hello': {
      const h = wire.hello!;
      return { kind: 'hello', member: { memberId: h.memberId, nodeId: h.nodeId, role: roleOf(h.role), version: h.version } };
    }
    case 'heartbeat': {
      const { memberId, seq } = wire.heartbeat!;
      return { kind: 'heartbeat', memberId, seq: typeof seq === 'number' ? seq : seq.toNumber() };
    }
    case 'interest': {
      const w = wire.interest!;
      const change = fromWireInterest(w);
      return w.memberId ? { kind: 'interest', change, memberId: w.memberId } : { kind: 'interest', change };
    }
    case 'snapshot': {
      const { interests, memberId } = wire.snapshot!;
      const changes = interests.map(fromWireInterest);
      return memberId ? { kind: 'snapshot', interests: changes, memberId } : { kind: 'snapshot', interests: changes };
    }
    case 'message': {
      const w = wire.message!;
      const message: BusMessage = {
        account: w.account,
        subject: w.subject,
        data: w.data.length === 0 ? EMPTY_BYTES : w.data,
        headerSize: w.headerSize,
        originMemberId: w.originMember,
      };
      if (w.reply !== '') message.reply = w.reply;
      if (w.traceparent !== '') message.traceparent = w.traceparent;
      if (w.queues.length !== 0) message.queues = w.queues;
      if (w.fromMember === '' && w.toMember === '') return { kind: 'message', message };
      return { kind: 'message', message, from: w.fromMember || w.originMember, to: w.toMember };
    }
    case 'state': {
      const w = wire.state!;
      const state: MemberState = { clientUrls: w.clientUrls };
      if (w.cluster !== '') state.cluster = w.cluster;
      if (w.gatewayUrl !== '') state.gatewayUrl = w.gatewayUrl;
      if (w.clusterGatewayUrls.length > 0) state.clusterGatewayUrls = w.clusterGatewayUrls;
      if (w.gateways.length > 0) state.gateways = w.gateways.map((g) => ({ name: g.name, urls: g.urls }));
      return w.memberId ? { kind: 'state', state, memberId: w.memberId } : { kind: 'state', state };
    }
    default:
      throw new Error('bus frame: no body');
  }
}
