import { createHash } from 'node:crypto';

/** Replies that cross a gateway are prefixed `_GR_.<cluster hash>.<server hash>.` (nats-server 2.9). */
export const GATEWAY_REPLY_PREFIX = '_GR_.';
const HASH_LENGTH = 6;
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** `_GR_.` + two hashes and their dots. */
const MAPPED_HEAD_LENGTH = GATEWAY_REPLY_PREFIX.length + 2 * (HASH_LENGTH + 1);

/** nats-server's 6-character name hash: SHA-256, each of the first 6 bytes as a base-62 digit. */
export function gatewayHash(name: string): string {
  const digest = createHash('sha256').update(name).digest();
  let hash = '';
  for (let i = 0; i < HASH_LENGTH; i++) hash += DIGITS[digest[i]! % DIGITS.length];
  return hash;
}

/** The prefix this server puts before a reply subject sent to another cluster. */
export function gatewayReplyPrefix(clusterHash: string, serverHash: string): string {
  return `${GATEWAY_REPLY_PREFIX}${clusterHash}.${serverHash}.`;
}

/**
 * How long a reply is mapped for (nats-server's recent-subscription expiry): a request is sent
 * with a mapped reply only when its reply subscription is this recent, and a responder's answer
 * on the unmapped reply within it goes straight back to the requester's server.
 */
export const GATEWAY_REPLY_WINDOW_MS = 2000;

/** The reserved prefix, which clients may not publish to (nats-server: a publish permissions violation). */
export function hasGatewayReplyPrefix(subject: string): boolean {
  return subject.length > GATEWAY_REPLY_PREFIX.length && subject.startsWith(GATEWAY_REPLY_PREFIX);
}

export function isGatewayReply(subject: string): boolean {
  return subject.length > MAPPED_HEAD_LENGTH && subject.startsWith(GATEWAY_REPLY_PREFIX);
}

/** The cluster hash of a mapped reply; call only when isGatewayReply holds. */
export function gatewayReplyClusterHash(subject: string): string {
  return subject.slice(GATEWAY_REPLY_PREFIX.length, GATEWAY_REPLY_PREFIX.length + HASH_LENGTH);
}

/** The original reply subject of a mapped one; call only when isGatewayReply holds. */
export function unmapGatewayReply(subject: string): string {
  return subject.slice(MAPPED_HEAD_LENGTH);
}
