import { describe, expect, it } from 'vitest';
import { ConfigFiles } from './config-files.test-support.js';
import { loadConfigFile } from './load.js';

const files = new ConfigFiles('nats-ts-bus-options-');

const pathFor = (text: string): string => files.write(text);

function busOf(text: string) {
  const { options, warnings } = loadConfigFile(pathFor(text), {});
  expect(warnings).toEqual([]);
  return options.bus;
}

const errorsOf = (text: string): string[] => files.errorsOf(text);

describe('bus block', () => {
  it('is absent unless configured', () => {
    expect(busOf('port: 4222')).toBeUndefined();
  });

  it('reads every field', () => {
    const bus = busOf(`
      bus {
        listen: "127.0.0.1:7100"
        advertise: "bus-1.example:7100"
        members: ["127.0.0.1:7101", "tcp://[::1]:7102"]
        name: node-a
        heartbeat: "250ms"
        member_timeout: "2s"
        redis_ttl: "30s"
      }`);
    expect(bus).toEqual({
      host: '127.0.0.1',
      port: 7100,
      advertise: 'bus-1.example:7100',
      members: ['127.0.0.1:7101', 'tcp://[::1]:7102'],
      name: 'node-a',
      heartbeatMs: 250,
      memberTimeoutMs: 2_000,
      redisTtlMs: 30_000,
    });
  });

  it('defaults to the client host, a free port and nats-ts timings', () => {
    expect(busOf('host: 127.0.0.2\nbus { redis: "redis://localhost" }')).toEqual({
      host: '127.0.0.2',
      port: -1,
      members: [],
      redis: 'redis://localhost',
      name: 'nats-ts',
      heartbeatMs: 1_000,
      memberTimeoutMs: 5_000,
      redisTtlMs: 15_000,
    });
    expect(busOf('bus { port: 7200, members: "h:7201" }')).toMatchObject({ host: '0.0.0.0', port: 7200, members: ['h:7201'] });
  });

  it('names the bad values with file:line:col', () => {
    expect(
      errorsOf(`bus {
  members: ["nohost", "h:0"]
  redis: "http://x"
  advertise: "x"
  name: "a b"
  heartbeat: 5
  member_timeout: "-1s"
  routes: []
}`),
    ).toEqual([
      'F:2:3: bus member "nohost" must be host:port',
      'F:2:3: bus member "h:0" must be host:port',
      'F:3:3: bus redis "http://x" must be a redis:// or rediss:// URL',
      'F:4:3: bus advertise "x" must be host:port',
      `F:5:3: bus name "a b" may only contain letters, digits, '_', '-' and '.'`,
      'F:6:3: "heartbeat" must be a duration string such as "2s", found an integer',
      'F:7:3: "member_timeout" in bus must be a positive duration',
      'F:8:3: unknown field "routes" in bus',
    ]);
  });

  it('takes one kind of membership', () => {
    expect(errorsOf('bus {\n  members: ["h:1"]\n  redis: "redis://h"\n}')).toEqual(['F:1:1: bus: use either members (a static list) or redis, not both']);
  });

  it('wants the member timeout longer than the heartbeat', () => {
    expect(errorsOf('bus {\n  heartbeat: "5s"\n  member_timeout: "5s"\n}')).toEqual([
      'F:1:1: bus member_timeout (5000ms) must be longer than its heartbeat (5000ms)',
    ]);
  });
});
