import { describe, expect, it } from 'vitest';
import { InProcessBus, type InterestChange } from '@nats-ts/bus';
import type { RouterOrigin } from '@nats-ts/routing';
import { InterestMode, RemoteInterest, type GatewayLink } from './remote-interest.js';

const CLIENT: RouterOrigin = { originKind: 'client', originMember: 'cg' };

/** An outbound gateway as the router sees it: it records that it sent, holding back what the peer declined as the role does. */
class RecordingGateway implements GatewayLink {
  mark = 0;
  readonly queueScratch: string[] = [];
  rttMs = 0;
  sent = false;
  interest: RemoteInterest<RecordingGateway> | undefined;

  constructor(readonly name: string) {}

  sendRouted(account: string, subject: string, _reply: string | undefined, queues: readonly string[]): void {
    if (queues.length === 0 && this.interest!.declines(this, account, subject)) return;
    this.sent = true;
  }
}

/**
 * RemoteInterest on a routed bus member, with gateways B to E; records what another member
 * hears of its interest as `+$G foo` / `-$G >` (replies' `_GR_.>` left out).
 */
async function setup(accounts: string[] = ['$G', 'ACC']) {
  const bus = new InProcessBus();
  const announced: string[] = [];
  const heard = (_from: unknown, c: InterestChange): void => {
    if (!c.subject.startsWith('_GR_.')) announced.push(`${c.add ? '+' : '-'}${c.account} ${c.subject}${c.queue !== undefined ? ` ${c.queue}` : ''}`);
  };
  await bus.join({ nodeId: 'n', role: 'client-gateway', version: '0' }, { memberJoined() {}, memberLeft() {}, interest: heard });
  const member = await bus.join({ nodeId: 'n', role: 'supercluster-gateway', version: '0', routed: true }, { memberJoined() {}, memberLeft() {} });
  const interest = new RemoteInterest<RecordingGateway>(new Set(accounts), member);
  const gateways = { B: new RecordingGateway('B'), C: new RecordingGateway('C'), D: new RecordingGateway('D'), E: new RecordingGateway('E') };
  for (const gateway of Object.values(gateways)) gateway.interest = interest;
  /** The gateways a client's message would go to. */
  const targets = (account: string, subject: string): string[] => {
    for (const gateway of Object.values(gateways)) gateway.sent = false;
    const data = Buffer.from('x');
    member.router.publish(member.router.account(account), CLIENT, subject, undefined, 0, data, 0, data.length, undefined);
    return Object.values(gateways)
      .filter((g) => g.sent)
      .map((g) => g.name);
  };
  const mode = (gateway: RecordingGateway, account: string) => {
    const entry = interest.accountsOf(gateway).get(account);
    return entry === null ? 'refused' : entry?.mode;
  };
  return { interest, announced, targets, mode, ...gateways };
}

describe('RemoteInterest', () => {
  it('sends a gateway_iom peer only what it announced, plain interest once the account is switched', async () => {
    const { interest, announced, targets, mode, B } = await setup();
    interest.addGateway(B, false);
    expect(targets('$G', 'anything')).toEqual([]);
    expect(interest.subscribe(B, '$G', 'early', undefined)).toBe(true);
    interest.subscribe(B, '$G', 'work', 'q');
    expect(targets('$G', 'early')).toEqual([]);
    interest.startInterestOnly(B, '$G');
    interest.subscribe(B, '$G', 'foo.*', undefined);
    interest.completeInterestOnly(B, '$G');
    expect(targets('$G', 'foo.x')).toEqual(['B']);
    expect(targets('$G', 'work')).toEqual(['B']);
    expect(mode(B, '$G')).toBe(InterestMode.InterestOnly);
    expect(announced).toEqual(['+$G work q', '+$G foo.*']);
    expect(interest.subscribe(B, '$G', 'bad..subject', undefined)).toBe(false);
  });

  it('sends a pre-2.9 peer everything (Optimistic) but the subjects it declined, until it takes them back', async () => {
    const { interest, announced, targets, mode, B } = await setup();
    interest.addGateway(B, true);
    expect(announced).toEqual(['+$G >', '+ACC >']);
    expect(targets('$G', 'anything')).toEqual(['B']);
    expect(interest.accountsOf(B).size).toBe(0);
    interest.unsubscribe(B, '$G', 'foo.a', undefined);
    interest.unsubscribe(B, '$G', 'foo.b', undefined);
    interest.unsubscribe(B, '$G', 'bar', undefined);
    expect(targets('$G', 'foo.a')).toEqual([]);
    expect(targets('$G', 'other')).toEqual(['B']);
    expect(mode(B, '$G')).toBe(InterestMode.Optimistic);
    expect(interest.accountsOf(B).get('$G')?.noInterest?.size).toBe(3);
    // RS+ takes a subject back; a wildcard takes back every declined subject it covers.
    interest.subscribe(B, '$G', 'bar', undefined);
    expect(targets('$G', 'bar')).toEqual(['B']);
    interest.subscribe(B, '$G', 'foo.*', undefined);
    expect(targets('$G', 'foo.a')).toEqual(['B']);
    expect(targets('$G', 'foo.b')).toEqual(['B']);
    // While Optimistic, plain RS+ is not kept as interest: the catch-all already covers it.
    expect(interest.subscriptionsOf(B).size).toBe(0);
    expect(announced).toEqual(['+$G >', '+ACC >']);
  });

  it('stops sending an account after A- and resumes after A+', async () => {
    const { interest, announced, targets, mode, B } = await setup();
    interest.addGateway(B, true);
    interest.unsubscribe(B, '$G', 'foo', undefined);
    interest.refuseAccount(B, '$G');
    expect(targets('$G', 'bar')).toEqual([]);
    expect(mode(B, '$G')).toBe('refused');
    // A refused account takes no plain RS+ nor RS-: only A+ (or a queue group) opens it again.
    interest.subscribe(B, '$G', 'bar', undefined);
    interest.unsubscribe(B, '$G', 'baz', undefined);
    expect(targets('$G', 'bar')).toEqual([]);
    interest.acceptAccount(B, '$G');
    expect(targets('$G', 'foo')).toEqual(['B']);
    expect(interest.accountsOf(B).has('$G')).toBe(false);
    interest.refuseAccount(B, 'ACC');
    interest.subscribe(B, 'ACC', 'jobs', 'workers');
    expect(targets('ACC', 'anything')).toEqual(['B']);
    expect(announced).toEqual(['+$G >', '+ACC >', '-$G >', '+$G >', '-ACC >', '+ACC jobs workers', '+ACC >']);
  });

  it('keeps an account with queue groups on A-, forgetting only its declined subjects', async () => {
    const { interest, targets, B } = await setup();
    interest.addGateway(B, true);
    interest.subscribe(B, '$G', 'jobs', 'workers');
    interest.unsubscribe(B, '$G', 'foo', undefined);
    interest.refuseAccount(B, '$G');
    expect(targets('$G', 'foo')).toEqual(['B']);
    expect(targets('$G', 'jobs')).toEqual(['B']);
    // The last queue group gone with nothing declined: the account is back to no state.
    interest.unsubscribe(B, '$G', 'jobs', 'workers');
    expect(interest.accountsOf(B).has('$G')).toBe(false);
    expect(targets('$G', 'foo')).toEqual(['B']);
  });

  it('keeps sending optimistically while Transitioning, then only announced interest', async () => {
    const { interest, announced, targets, mode, B } = await setup();
    interest.addGateway(B, true);
    interest.unsubscribe(B, '$G', 'nope', undefined);
    interest.startInterestOnly(B, '$G');
    expect(mode(B, '$G')).toBe(InterestMode.Transitioning);
    interest.subscribe(B, '$G', 'wanted', undefined);
    expect(targets('$G', 'other')).toEqual(['B']);
    expect(targets('$G', 'nope')).toEqual([]);
    interest.completeInterestOnly(B, '$G');
    expect(mode(B, '$G')).toBe(InterestMode.InterestOnly);
    expect(targets('$G', 'other')).toEqual([]);
    expect(targets('$G', 'wanted')).toEqual(['B']);
    interest.unsubscribe(B, '$G', 'wanted', undefined);
    expect(targets('$G', 'wanted')).toEqual([]);
    expect(announced).toEqual(['+$G >', '+ACC >', '+$G wanted', '-$G >', '-$G wanted']);
  });

  it('switches an account the peer said nothing about to announced interest at gateway_cmd 2', async () => {
    const { interest, targets, B } = await setup();
    interest.addGateway(B, true);
    interest.startInterestOnly(B, 'ACC');
    expect(targets('ACC', 'x')).toEqual([]);
    expect(targets('$G', 'x')).toEqual(['B']);
  });

  it('announces one catch-all per account whatever the number of optimistic gateways, and withdraws it with the last', async () => {
    const { interest, announced, targets, B, C, D, E } = await setup(['$G']);
    interest.addGateway(B, true);
    interest.addGateway(C, true);
    interest.addGateway(D, false);
    expect(targets('$G', 'x')).toEqual(['B', 'C']);
    interest.refuseAccount(B, '$G');
    interest.removeGateway(C);
    expect(targets('$G', 'x')).toEqual([]);
    interest.removeGateway(B);
    expect(announced).toEqual(['+$G >', '-$G >']);
    // Accounts this node does not serve bring no announcement.
    interest.addGateway(E, true);
    interest.unsubscribe(E, 'OTHER', 'foo', undefined);
    expect(announced).toEqual(['+$G >', '-$G >', '+$G >']);
  });

  it('sends a declined subject again once the peer announced it while Transitioning', async () => {
    const { interest, targets, B } = await setup();
    interest.addGateway(B, true);
    interest.unsubscribe(B, '$G', 'nope', undefined);
    interest.startInterestOnly(B, '$G');
    interest.subscribe(B, '$G', 'no*', undefined);
    expect(targets('$G', 'nope')).toEqual([]);
    interest.subscribe(B, '$G', '*', undefined);
    expect(targets('$G', 'nope')).toEqual(['B']);
  });

  it('takes the replies to each cluster (`_GR_.>`) while its gateway is registered, whatever its interest', async () => {
    const { interest, targets, B, C } = await setup();
    interest.addGateway(B, false);
    interest.addGateway(C, false);
    // Each gateway gets them; the role keeps only those mapped for its cluster.
    expect(targets('ACC', '_GR_.abc.def.inbox')).toEqual(['B', 'C']);
    interest.removeGateway(B);
    expect(targets('ACC', '_GR_.abc.def.inbox')).toEqual(['C']);
  });

  it('sends a queue group in several clusters to the nearest one', async () => {
    const { interest, targets, B, C } = await setup();
    interest.addGateway(B, false);
    interest.addGateway(C, false);
    interest.subscribe(B, '$G', 'jobs', 'workers');
    interest.subscribe(C, '$G', 'jobs', 'workers');
    B.rttMs = 30;
    C.rttMs = 5;
    expect(targets('$G', 'jobs')).toEqual(['C']);
    B.rttMs = 1;
    expect(targets('$G', 'jobs')).toEqual(['B']);
  });
});
