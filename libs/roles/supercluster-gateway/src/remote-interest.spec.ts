import { describe, expect, it } from 'vitest';
import type { InterestChange } from '@nats-ts/bus';
import { InterestMode, RemoteInterest } from './remote-interest.js';

/** RemoteInterest over gateways named by strings, recording its bus announcements as `+$G foo` / `-$G >`. */
function setup(accounts: string[] = ['$G', 'ACC']) {
  const announced: string[] = [];
  const interest = new RemoteInterest<string>(new Set(accounts), (c: InterestChange) =>
    announced.push(`${c.add ? '+' : '-'}${c.account} ${c.subject}${c.queue !== undefined ? ` ${c.queue}` : ''}`),
  );
  /** The gateways a message would go to: optimistic senders not declining it, then plain interest. */
  const targets = (account: string, subject: string): string[] => {
    const out = new Set<string>();
    for (const s of interest.optimisticSenders(account)) if (!s.noInterest.has(subject)) out.add(s.gateway);
    for (const sub of interest.match(account, subject).plain) out.add(sub.gateway);
    return [...out].sort();
  };
  const mode = (gateway: string, account: string) => {
    const entry = interest.accountsOf(gateway).get(account);
    return entry === null ? 'refused' : entry?.mode;
  };
  return { interest, announced, targets, mode };
}

describe('RemoteInterest', () => {
  it('sends a gateway_iom peer only what it announced, plain interest once the account is switched', () => {
    const { interest, announced, targets, mode } = setup();
    interest.addGateway('B', false);
    expect(interest.optimisticSenders('$G')).toEqual([]);
    expect(interest.subscribe('B', '$G', 'early', undefined)).toBe(true);
    interest.subscribe('B', '$G', 'work', 'q');
    expect(targets('$G', 'early')).toEqual([]);
    interest.startInterestOnly('B', '$G');
    interest.subscribe('B', '$G', 'foo.*', undefined);
    interest.completeInterestOnly('B', '$G');
    expect(targets('$G', 'foo.x')).toEqual(['B']);
    expect(interest.match('$G', 'work').queues).toHaveLength(1);
    expect(mode('B', '$G')).toBe(InterestMode.InterestOnly);
    expect(announced).toEqual(['+$G work q', '+$G foo.*']);
    expect(interest.subscribe('B', '$G', 'bad..subject', undefined)).toBe(false);
  });

  it('sends a pre-2.9 peer everything (Optimistic) but the subjects it declined, until it takes them back', () => {
    const { interest, announced, targets, mode } = setup();
    interest.addGateway('B', true);
    expect(announced).toEqual(['+$G >', '+ACC >']);
    expect(targets('$G', 'anything')).toEqual(['B']);
    expect(interest.accountsOf('B').size).toBe(0);
    interest.unsubscribe('B', '$G', 'foo.a', undefined);
    interest.unsubscribe('B', '$G', 'foo.b', undefined);
    interest.unsubscribe('B', '$G', 'bar', undefined);
    expect(targets('$G', 'foo.a')).toEqual([]);
    expect(targets('$G', 'other')).toEqual(['B']);
    expect(mode('B', '$G')).toBe(InterestMode.Optimistic);
    expect(interest.accountsOf('B').get('$G')?.noInterest?.size).toBe(3);
    // RS+ takes a subject back; a wildcard takes back every declined subject it covers.
    interest.subscribe('B', '$G', 'bar', undefined);
    expect(targets('$G', 'bar')).toEqual(['B']);
    interest.subscribe('B', '$G', 'foo.*', undefined);
    expect(targets('$G', 'foo.a')).toEqual(['B']);
    expect(targets('$G', 'foo.b')).toEqual(['B']);
    // While Optimistic, plain RS+ is not kept as interest: the catch-all already covers it.
    expect(interest.subscriptionsOf('B').size).toBe(0);
    expect(announced).toEqual(['+$G >', '+ACC >']);
  });

  it('stops sending an account after A- and resumes after A+', () => {
    const { interest, announced, targets, mode } = setup();
    interest.addGateway('B', true);
    interest.unsubscribe('B', '$G', 'foo', undefined);
    interest.refuseAccount('B', '$G');
    expect(targets('$G', 'bar')).toEqual([]);
    expect(mode('B', '$G')).toBe('refused');
    // A refused account takes no plain RS+ nor RS-: only A+ (or a queue group) opens it again.
    interest.subscribe('B', '$G', 'bar', undefined);
    interest.unsubscribe('B', '$G', 'baz', undefined);
    expect(targets('$G', 'bar')).toEqual([]);
    interest.acceptAccount('B', '$G');
    expect(targets('$G', 'foo')).toEqual(['B']);
    expect(interest.accountsOf('B').has('$G')).toBe(false);
    interest.refuseAccount('B', 'ACC');
    interest.subscribe('B', 'ACC', 'jobs', 'workers');
    expect(targets('ACC', 'anything')).toEqual(['B']);
    expect(announced).toEqual(['+$G >', '+ACC >', '-$G >', '+$G >', '-ACC >', '+ACC >', '+ACC jobs workers']);
  });

  it('keeps an account with queue groups on A-, forgetting only its declined subjects', () => {
    const { interest, targets } = setup();
    interest.addGateway('B', true);
    interest.subscribe('B', '$G', 'jobs', 'workers');
    interest.unsubscribe('B', '$G', 'foo', undefined);
    interest.refuseAccount('B', '$G');
    expect(targets('$G', 'foo')).toEqual(['B']);
    expect(interest.match('$G', 'jobs').queues).toHaveLength(1);
    // The last queue group gone with nothing declined: the account is back to no state.
    interest.unsubscribe('B', '$G', 'jobs', 'workers');
    expect(interest.accountsOf('B').has('$G')).toBe(false);
    expect(targets('$G', 'foo')).toEqual(['B']);
  });

  it('keeps sending optimistically while Transitioning, then only announced interest', () => {
    const { interest, announced, targets, mode } = setup();
    interest.addGateway('B', true);
    interest.unsubscribe('B', '$G', 'nope', undefined);
    interest.startInterestOnly('B', '$G');
    expect(mode('B', '$G')).toBe(InterestMode.Transitioning);
    interest.subscribe('B', '$G', 'wanted', undefined);
    expect(targets('$G', 'other')).toEqual(['B']);
    expect(targets('$G', 'nope')).toEqual([]);
    interest.completeInterestOnly('B', '$G');
    expect(mode('B', '$G')).toBe(InterestMode.InterestOnly);
    expect(targets('$G', 'other')).toEqual([]);
    expect(targets('$G', 'wanted')).toEqual(['B']);
    interest.unsubscribe('B', '$G', 'wanted', undefined);
    expect(targets('$G', 'wanted')).toEqual([]);
    expect(announced).toEqual(['+$G >', '+ACC >', '+$G wanted', '-$G >', '-$G wanted']);
  });

  it('switches an account the peer said nothing about to announced interest at gateway_cmd 2', () => {
    const { interest, targets } = setup();
    interest.addGateway('B', true);
    interest.startInterestOnly('B', 'ACC');
    expect(targets('ACC', 'x')).toEqual([]);
    expect(targets('$G', 'x')).toEqual(['B']);
  });

  it('announces one catch-all per account whatever the number of optimistic gateways, and withdraws it with the last', () => {
    const { interest, announced, targets } = setup(['$G']);
    interest.addGateway('B', true);
    interest.addGateway('C', true);
    interest.addGateway('D', false);
    expect(targets('$G', 'x')).toEqual(['B', 'C']);
    interest.refuseAccount('B', '$G');
    interest.removeGateway('C');
    expect(targets('$G', 'x')).toEqual([]);
    interest.removeGateway('B');
    expect(announced).toEqual(['+$G >', '-$G >']);
    // Accounts this node does not serve bring no announcement.
    interest.addGateway('E', true);
    interest.unsubscribe('E', 'OTHER', 'foo', undefined);
    expect(announced).toEqual(['+$G >', '-$G >', '+$G >']);
  });
});
