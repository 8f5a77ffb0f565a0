// Arbitraries for valid NATS protocol frames, each with the parser event it must produce, and for
// mutations of a stream of them. The property tests and the socket fuzzer draw from the same ones.
import fc from 'fast-check';

/** What a client parser must report for a frame (payloads as latin1 text). */
export type ClientEvent =
  | readonly ['connect', string]
  | readonly ['pub', string, string | undefined, string]
  | readonly ['hpub', string, string | undefined, number, string]
  | readonly ['sub', string, string | undefined, string]
  | readonly ['unsub', string, number | undefined]
  | readonly ['ping']
  | readonly ['pong'];

/** What a route or leaf parser must report for a frame (payloads as latin1 text). */
export type LinkEvent =
  | readonly ['connect', string]
  | readonly ['info', string]
  | readonly ['sub', string | undefined, string, string, string | undefined, number]
  | readonly ['unsub', string, string, string | undefined]
  | readonly ['account', string, boolean]
  | readonly ['msg', string | undefined, string, string, string | undefined, readonly string[], number, string]
  | readonly ['ping']
  | readonly ['pong']
  | readonly ['err', string];

/** One frame's bytes and the event it stands for (undefined for frames that report nothing, e.g. +OK). */
export interface Frame<E> {
  readonly text: string;
  readonly event: E | undefined;
}

const CRLF = '\r\n';

/** A verb as clients may write it: upper, lower or mixed case. */
function verb(keyword: string): fc.Arbitrary<string> {
  const mixed = [...keyword].map((c, i) => (i % 2 === 0 ? c.toLowerCase() : c)).join('');
  return fc.constantFrom(keyword, keyword.toLowerCase(), mixed);
}

/** The whitespace nats-server accepts between arguments. */
const gap = fc.constantFrom(' ', '  ', '\t', ' \t ');
const token = fc.stringMatching(/^[A-Za-z0-9_$-]{1,8}$/);
const subject = fc.array(token, { minLength: 1, maxLength: 4 }).map((tokens) => tokens.join('.'));
const pattern = fc
  .tuple(fc.array(fc.oneof(token, fc.constant('*')), { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([tokens, full]) => (full ? [...tokens, '>'] : tokens).join('.'));
const sid = fc.stringMatching(/^[A-Za-z0-9]{1,6}$/);
/** Payload bytes as latin1 text: any byte, CR and LF included. */
const payload = fc.uint8Array({ maxLength: 48 }).map((bytes) => Buffer.from(bytes).toString('latin1'));
const headerBlock = fc
  .array(fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/), fc.stringMatching(/^[ -~]{0,16}$/)), { maxLength: 3 })
  .map((fields) => `NATS/1.0${CRLF}${fields.map(([key, value]) => `${key}: ${value}${CRLF}`).join('')}${CRLF}`);
const json = fc
  .dictionary(fc.stringMatching(/^[a-z_]{1,10}$/), fc.oneof(fc.boolean(), fc.integer(), fc.stringMatching(/^[ -~]{0,12}$/)), { maxKeys: 4 })
  .map((object) => JSON.stringify(object));
const account = fc.constantFrom('$G', 'A', 'B', '$SYS');
const queue = fc.stringMatching(/^[A-Za-z0-9_]{1,6}$/);
const weight = fc.integer({ min: 1, max: 99 });

function optional<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arbitrary, { nil: undefined });
}

function args(...parts: readonly (string | number | undefined)[]): fc.Arbitrary<string> {
  const present = parts.filter((part) => part !== undefined).map(String);
  return fc.array(gap, { minLength: present.length, maxLength: present.length }).map((gaps) => present.map((part, i) => `${gaps[i]}${part}`).join(''));
}

const ping: fc.Arbitrary<Frame<readonly ['ping']>> = verb('PING').map((v) => ({ text: `${v}${CRLF}`, event: ['ping'] as const }));
const pong: fc.Arbitrary<Frame<readonly ['pong']>> = verb('PONG').map((v) => ({ text: `${v}${CRLF}`, event: ['pong'] as const }));

/** Frames a client may send: CONNECT, PUB, HPUB, SUB, UNSUB, PING, PONG. */
export const clientFrame: fc.Arbitrary<Frame<ClientEvent>> = fc.oneof(
  fc.tuple(verb('CONNECT'), gap, json).map(([v, g, body]): Frame<ClientEvent> => ({ text: `${v}${g}${body}${CRLF}`, event: ['connect', body] })),
  fc
    .tuple(verb('PUB'), subject, optional(subject), payload)
    .chain(([v, subj, reply, body]) =>
      args(subj, reply, body.length).map((line): Frame<ClientEvent> => ({ text: `${v}${line}${CRLF}${body}${CRLF}`, event: ['pub', subj, reply, body] })),
    ),
  fc
    .tuple(verb('HPUB'), subject, optional(subject), headerBlock, payload)
    .chain(([v, subj, reply, header, body]) =>
      args(subj, reply, header.length, header.length + body.length).map(
        (line): Frame<ClientEvent> => ({ text: `${v}${line}${CRLF}${header}${body}${CRLF}`, event: ['hpub', subj, reply, header.length, header + body] }),
      ),
    ),
  fc
    .tuple(verb('SUB'), pattern, optional(queue), sid)
    .chain(([v, subj, group, id]) => args(subj, group, id).map((line): Frame<ClientEvent> => ({ text: `${v}${line}${CRLF}`, event: ['sub', subj, group, id] }))),
  fc
    .tuple(verb('UNSUB'), sid, optional(fc.integer({ min: 1, max: 1000 })))
    .chain(([v, id, max]) => args(id, max).map((line): Frame<ClientEvent> => ({ text: `${v}${line}${CRLF}`, event: ['unsub', id, max] }))),
  ping,
  pong,
);

/** The reply and queue-group part of a routed message: none, a reply, `+ reply q…` or `| q…`. */
const routing = fc.oneof(
  fc.constant({ reply: undefined, queues: [] as string[], words: [] as string[] }),
  subject.map((reply) => ({ reply, queues: [] as string[], words: [reply] })),
  fc
    .tuple(subject, fc.array(queue, { minLength: 1, maxLength: 3 }))
    .map(([reply, queues]) => ({ reply, queues, words: ['+', reply, ...queues] })),
  fc.array(queue, { minLength: 1, maxLength: 3 }).map((queues) => ({ reply: undefined, queues, words: ['|', ...queues] })),
);

/** A message frame of a route (`account` given) or a leaf connection (`account` undefined). */
function messageFrame(
  keyword: string,
  origin: string | undefined,
  acc: string | undefined,
  withHeader: boolean,
): fc.Arbitrary<Frame<LinkEvent>> {
  return fc.tuple(subject, routing, withHeader ? headerBlock : fc.constant(''), payload).chain(([subj, route, header, body]) => {
    const sizes = withHeader ? [header.length, header.length + body.length] : [body.length];
    return args(origin, acc, subj, ...route.words, ...sizes).map(
      (line): Frame<LinkEvent> => ({
        text: `${keyword}${line}${CRLF}${header}${body}${CRLF}`,
        event: ['msg', origin, acc ?? '', subj, route.reply, route.queues, header.length, header + body],
      }),
    );
  });
}

const info = json.map((body): Frame<LinkEvent> => ({ text: `INFO ${body}${CRLF}`, event: ['info', body] }));
const linkConnect = json.map((body): Frame<LinkEvent> => ({ text: `CONNECT ${body}${CRLF}`, event: ['connect', body] }));
const ok = fc.constant<Frame<LinkEvent>>({ text: `+OK${CRLF}`, event: undefined });
const err = fc.stringMatching(/^[ -&(-~]{1,24}$/).map((text): Frame<LinkEvent> => ({ text: `-ERR '${text}'${CRLF}`, event: ['err', `'${text}'`] }));

function interest(keyword: 'RS' | 'LS', origin: fc.Arbitrary<string | undefined>, acc: fc.Arbitrary<string | undefined>): fc.Arbitrary<Frame<LinkEvent>> {
  const add = fc
    .tuple(origin, acc, pattern, optional(fc.tuple(queue, weight)))
    .chain(([from, a, subj, group]) =>
      args(from, a, subj, group?.[0], group?.[1]).map(
        (line): Frame<LinkEvent> => ({ text: `${keyword}+${line}${CRLF}`, event: ['sub', from, a ?? '', subj, group?.[0], group?.[1] ?? 0] }),
      ),
    );
  const remove = fc
    .tuple(acc, pattern, optional(queue))
    .chain(([a, subj, group]) =>
      args(a, subj, group).map((line): Frame<LinkEvent> => ({ text: `${keyword}-${line}${CRLF}`, event: ['unsub', a ?? '', subj, group] })),
    );
  return fc.oneof(add, remove);
}

/** Frames a route peer may send (nats-server 2.9's route protocol, LS+ and LMSG of leaf origin included). */
export const routeFrame: fc.Arbitrary<Frame<LinkEvent>> = fc.oneof(
  info,
  linkConnect,
  interest('RS', fc.constant(undefined), account),
  interest('LS', token, account),
  fc.tuple(fc.constantFrom('A+', 'A-'), account).map(([v, a]): Frame<LinkEvent> => ({ text: `${v} ${a}${CRLF}`, event: ['account', a, v === 'A+'] })),
  account.chain((a) => messageFrame('RMSG', undefined, a, false)),
  account.chain((a) => messageFrame('HMSG', undefined, a, true)),
  fc.tuple(token, account).chain(([origin, a]) => messageFrame('LMSG', origin, a, true)),
  ping,
  pong,
  ok,
  err,
);

/** Frames the other side of a leaf node connection may send (no origin or account on the wire). */
export const leafFrame: fc.Arbitrary<Frame<LinkEvent>> = fc.oneof(
  info,
  linkConnect,
  interest('LS', fc.constant(undefined), fc.constant(undefined)),
  messageFrame('LMSG', undefined, undefined, false),
  messageFrame('HMSG', undefined, undefined, true),
  ping,
  pong,
  ok,
  err,
);

/** A change to a byte stream: `at` is taken modulo the stream's length. */
export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly byte: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'repeat'; readonly at: number; readonly length: number };

/** Bytes that matter to the parsers (separators, digits, verb letters) more often than chance would pick them. */
const interestingByte = fc.oneof(fc.constantFrom(0x0d, 0x0a, 0x20, 0x09, 0x30, 0x39, 0x2b, 0x2d, 0x7c, 0x2e, 0x2a, 0x3e, 0x00, 0xff), fc.integer({ min: 0, max: 255 }));

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: interestingByte }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
);

/** The offset a mutation applies at in a stream of `length` bytes. */
export function mutationOffset(m: Mutation, length: number): number {
  return length === 0 ? 0 : m.at % length;
}

/** `stream` with `m` applied; the bytes before mutationOffset() are unchanged. */
export function mutate(stream: Buffer, m: Mutation): Buffer {
  const at = mutationOffset(m, stream.length);
  switch (m.kind) {
    case 'flip': {
      const out = Buffer.from(stream);
      if (out.length > 0) out[at] = m.byte;
      return out;
    }
    case 'insert':
      return Buffer.concat([stream.subarray(0, at), m.bytes, stream.subarray(at)]);
    case 'delete':
      return Buffer.concat([stream.subarray(0, at), stream.subarray(at + m.length)]);
    case 'truncate':
      return stream.subarray(0, at);
    case 'repeat':
      return Buffer.concat([stream.subarray(0, at + m.length), stream.subarray(at)]);
  }
}

/** The frames' bytes, one after another. */
export function streamOf(frames: readonly Frame<unknown>[]): Buffer {
  return Buffer.from(frames.map((frame) => frame.text).join(''), 'latin1');
}
