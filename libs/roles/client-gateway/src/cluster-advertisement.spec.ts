import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessBus, type BusEndpoint, type BusHandlers, type MemberInfo, type MemberState } from '@nats-ts/bus';
import { loadOptions } from '@nats-ts/config';
import { Logger } from '@nats-ts/observability';
import { ClientGateway } from './client-gateway.js';
import { ClusterAdvertisement, clientConnectUrls } from './cluster-advertisement.js';

function infoOf(advertisement: ClusterAdvertisement, noAdvertise = false): Record<string, unknown> {
  const info: Record<string, unknown> = {};
  advertisement.addTo(info, noAdvertise);
  return info;
}

describe('ClusterAdvertisement', () => {
  it('adds nothing until another server is known, then lists our URLs first', () => {
    const adv = new ClusterAdvertisement();
    adv.setOwnUrls(['127.0.0.1:4222']);
    expect(infoOf(adv)).toEqual({});
    expect(adv.setMemberState('route', { clientUrls: [], cluster: 'A' })).toBe(true);
    expect(infoOf(adv)).toEqual({ cluster: 'A' });
    expect(adv.setMemberState('route', { clientUrls: ['127.0.0.1:4223', '127.0.0.1:4222'], cluster: 'A' })).toBe(true);
    expect(infoOf(adv)).toEqual({ cluster: 'A', connect_urls: ['127.0.0.1:4222', '127.0.0.1:4223'] });
    expect(adv.setMemberState('route', { clientUrls: ['127.0.0.1:4223'], cluster: 'A' })).toBe(false);
    expect(infoOf(adv, true)).toEqual({ cluster: 'A' });
  });

  it('keeps listing our own URLs once the other servers are gone, as nats-server does', () => {
    const adv = new ClusterAdvertisement();
    adv.setOwnUrls(['h:1']);
    adv.setMemberState('route', { clientUrls: ['h:2'] });
    expect(adv.setMemberState('route', undefined)).toBe(true);
    expect(infoOf(adv)).toEqual({ connect_urls: ['h:1'] });
    expect(adv.setMemberState('unknown', undefined)).toBe(false);
  });

  it('merges the URLs of several members without duplicates', () => {
    const adv = new ClusterAdvertisement();
    adv.setOwnUrls(['h:1']);
    adv.setMemberState('a', { clientUrls: ['h:2', 'h:3'] });
    adv.setMemberState('b', { clientUrls: ['h:3', 'h:4'] });
    expect(infoOf(adv)).toEqual({ connect_urls: ['h:1', 'h:2', 'h:3', 'h:4'] });
  });
});

describe('clientConnectUrls', () => {
  it('uses the advertise address, with the listener port when it names none', () => {
    expect(clientConnectUrls('example.com:5222', '0.0.0.0', 4222)).toEqual(['example.com:5222']);
    expect(clientConnectUrls('example.com', '0.0.0.0', 4222)).toEqual(['example.com:4222']);
    expect(clientConnectUrls('[::1]:5222', '0.0.0.0', 4222)).toEqual(['[::1]:5222']);
    expect(clientConnectUrls('::1', '0.0.0.0', 4222)).toEqual(['[::1]:4222']);
  });

  it('uses the bound host, or the non-loopback addresses for all interfaces', () => {
    expect(clientConnectUrls(undefined, '127.0.0.1', 4222)).toEqual(['127.0.0.1:4222']);
    for (const url of clientConnectUrls(undefined, '0.0.0.0', 4222)) {
      expect(url).toMatch(/:4222$/);
      expect(url).not.toMatch(/^127\./);
    }
  });
});

/** Reads INFO lines from a raw client connection. */
class InfoReader {
  readonly infos: Record<string, unknown>[] = [];
  private text = '';
  private readonly socket: Socket;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('latin1');
      let end: number;
      while ((end = this.text.indexOf('\r\n')) >= 0) {
        const line = this.text.slice(0, end);
        this.text = this.text.slice(end + 2);
        if (line.startsWith('INFO ')) this.infos.push(JSON.parse(line.slice(5)) as Record<string, unknown>);
      }
    });
  }

  send(text: string): void {
    this.socket.write(text);
  }

  async waitForInfos(count: number): Promise<void> {
    const deadline = Date.now() + 3000;
    while (this.infos.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(this.infos.length).toBeGreaterThanOrEqual(count);
  }

  close(): void {
    this.socket.destroy();
  }
}

class StateMember implements BusHandlers {
  readonly states: MemberState[] = [];
  endpoint!: BusEndpoint;
  memberJoined(_m: MemberInfo): void {}
  memberLeft(_m: MemberInfo): void {}
  interest(): void {}
  message(): void {}
  memberState(_from: MemberInfo, state: MemberState): void {
    this.states.push(state);
  }
}

describe('client-gateway cluster advertisement on the bus', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startGateway(args: string[] = []): Promise<{ gateway: ClientGateway; port: number; bus: InProcessBus }> {
    const bus = new InProcessBus();
    const { options } = loadOptions(['-a', '127.0.0.1', '-p', '-1', ...args]);
    const gateway = new ClientGateway({ options, logger: new Logger({ logtime: false }), bus, serverId: 'NTEST', compatVersion: '2.9.10', productVersion: 'test' });
    const bound = await gateway.start();
    cleanups.push(() => gateway.shutdown());
    return { gateway, port: bound.port, bus };
  }

  async function joinRouteMember(bus: InProcessBus): Promise<StateMember> {
    const member = new StateMember();
    member.endpoint = await bus.join({ nodeId: 'NTEST', role: 'route-mesh', version: 'test' }, member);
    cleanups.push(() => member.endpoint.close());
    return member;
  }

  it('announces its client URL and sends protocol-1 clients INFO updates with cluster and connect_urls', async () => {
    const { port, bus } = await startGateway();
    const route = await joinRouteMember(bus);
    expect(route.states).toEqual([{ clientUrls: [`127.0.0.1:${port}`] }]);

    const client = new InfoReader(port);
    cleanups.push(() => client.close());
    await client.waitForInfos(1);
    expect(client.infos[0]).not.toHaveProperty('connect_urls');
    client.send('CONNECT {"protocol":1}\r\nPING\r\n');
    const oldClient = new InfoReader(port);
    cleanups.push(() => oldClient.close());
    oldClient.send('CONNECT {"protocol":0}\r\nPING\r\n');
    await oldClient.waitForInfos(1);
    await new Promise((resolve) => setTimeout(resolve, 50));

    route.endpoint.announceState({ clientUrls: ['127.0.0.1:5555'], cluster: 'A' });
    await client.waitForInfos(2);
    expect(client.infos[1]).toMatchObject({ cluster: 'A', connect_urls: [`127.0.0.1:${port}`, '127.0.0.1:5555'], client_id: 1 });

    const late = new InfoReader(port);
    cleanups.push(() => late.close());
    await late.waitForInfos(1);
    expect(late.infos[0]).toMatchObject({ cluster: 'A', connect_urls: [`127.0.0.1:${port}`, '127.0.0.1:5555'] });

    await route.endpoint.close();
    await client.waitForInfos(3);
    expect(client.infos[2]).toMatchObject({ connect_urls: [`127.0.0.1:${port}`] });
    expect(client.infos[2]).not.toHaveProperty('cluster');
    expect(oldClient.infos).toHaveLength(1);
  });

  it('leaves connect_urls out with no_advertise', async () => {
    const { port, bus } = await startGateway(['--no_advertise']);
    const route = await joinRouteMember(bus);
    route.endpoint.announceState({ clientUrls: ['127.0.0.1:5555'], cluster: 'A' });
    const client = new InfoReader(port);
    cleanups.push(() => client.close());
    await client.waitForInfos(1);
    expect(client.infos[0]).toMatchObject({ cluster: 'A' });
    expect(client.infos[0]).not.toHaveProperty('connect_urls');
  });
});
