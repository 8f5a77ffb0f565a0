import { describe, expect, it } from 'vitest';
import { DEFAULT_RESPONSE_EXPIRES_MS, DEFAULT_RESPONSE_MAX_MSGS, ResponsePermissions } from './response-permissions.js';

describe('ResponsePermissions', () => {
  it('allows nothing that was not granted', () => {
    const responses = new ResponsePermissions(1, 1000);
    expect(responses.consume('_INBOX.a', 0)).toBe(false);
  });

  it('allows maxMsgs responses per grant', () => {
    const responses = new ResponsePermissions(3, 60_000);
    responses.grant('_INBOX.a', 0);
    expect(responses.consume('_INBOX.a', 1)).toBe(true);
    expect(responses.consume('_INBOX.a', 2)).toBe(true);
    expect(responses.consume('_INBOX.a', 3)).toBe(true);
    expect(responses.consume('_INBOX.a', 4)).toBe(false);
    expect(responses.size).toBe(0);
    expect(responses.consume('_INBOX.a', 5)).toBe(false);
    expect(responses.consume('_INBOX.b', 5)).toBe(false);
  });

  it('restarts the allowance when the reply subject is delivered again', () => {
    const responses = new ResponsePermissions(1, 60_000);
    responses.grant('_INBOX.a', 0);
    expect(responses.consume('_INBOX.a', 1)).toBe(true);
    responses.grant('_INBOX.a', 2);
    expect(responses.consume('_INBOX.a', 3)).toBe(true);
    expect(responses.consume('_INBOX.a', 4)).toBe(false);
  });

  it('expires grants after expiresMs', () => {
    const responses = new ResponsePermissions(10, 100);
    responses.grant('_INBOX.a', 1000);
    expect(responses.consume('_INBOX.a', 1100)).toBe(true);
    expect(responses.consume('_INBOX.a', 1101)).toBe(false);
    expect(responses.size).toBe(0);
  });

  it('takes nats-server defaults for zero limits and treats negative ones as unlimited', () => {
    const defaults = new ResponsePermissions(0, 0);
    expect(defaults.maxMsgs).toBe(DEFAULT_RESPONSE_MAX_MSGS);
    expect(defaults.expiresMs).toBe(DEFAULT_RESPONSE_EXPIRES_MS);
    const unlimited = new ResponsePermissions(-1, -1);
    unlimited.grant('r', 0);
    for (let i = 0; i < 100; i++) expect(unlimited.consume('r', i * 1e9)).toBe(true);
  });

  it('sweeps used-up and expired grants', () => {
    const responses = new ResponsePermissions(1, 100);
    responses.grant('used', 0);
    responses.grant('expired', 0);
    responses.grant('fresh', 50);
    responses.consume('used', 1);
    responses.sweep(120);
    expect(responses.size).toBe(1);
    expect(responses.consume('fresh', 120)).toBe(true);
  });

  it('bounds the tracked reply subjects by sweeping when many are granted', () => {
    const responses = new ResponsePermissions(1, 100);
    for (let i = 0; i < 4096; i++) responses.grant(`old.${i}`, 0);
    expect(responses.size).toBe(4096);
    responses.grant('new', 1000);
    expect(responses.size).toBe(1);
    expect(responses.consume('new', 1000)).toBe(true);
  });
});
