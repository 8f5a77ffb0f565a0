// The system account's server events: `$SYS.SERVER.<id>.CLIENT.AUTH.ERR` for a client refused
// as unauthenticated, `$SYS.SERVER.<id>.SHUTDOWN` as a server stops, and STATSZ's
// `active_servers`. Against nats-ts and nats-server 2.9.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { expect, it } from 'vitest';
import { eventually, type Json } from './cluster-helpers.js';
import { describeEachTarget, startServer } from './support/servers.js';

const ACCOUNTS = `
system_account: SYS
accounts {
  SYS: { users: [ { user: admin, password: admin } ] }
  A: { users: [ { user: a, password: a } ] }
}
`;

/** Collects the messages of `subject` (body parsed, subject kept) as they come. */
function collect(nc: NatsConnection, subject: string): { subject: string; body: Json }[] {
  const seen: { subject: string; body: Json }[] = [];
  nc.subscribe(subject, {
    callback: (_err, msg) => {
      seen.push({ subject: msg.subject, body: msg.json<Json>() });
    },
  });
  return seen;
}

describeEachTarget('system account server events', (target) => {
  it('sends CLIENT.AUTH.ERR for a wrong password and for an unknown user', async () => {
    const server = await startServer(target, `server_name: EV\n${ACCOUNTS}`);
    const admin = await connect({ servers: server.clientUrl, user: 'admin', pass: 'admin', reconnect: false });
    try {
      const events = collect(admin, '$SYS.SERVER.*.CLIENT.AUTH.ERR');
      await admin.flush();
      await expect(connect({ servers: server.clientUrl, user: 'a', pass: 'wrong', name: 'bad', reconnect: false })).rejects.toThrow(/Authorization Violation/);
      await expect(connect({ servers: server.clientUrl, user: 'nobody', pass: 'x', reconnect: false })).rejects.toThrow(/Authorization Violation/);
      await eventually(() => expect(events).toHaveLength(2));
      const [wrong, unknown] = events;
      expect(wrong!.subject).toBe(`$SYS.SERVER.${wrong!.body.server.id}.CLIENT.AUTH.ERR`);
      expect(wrong!.body).toMatchObject({
        type: 'io.nats.server.advisory.v1.client_disconnect',
        server: { name: 'EV' },
        client: { acc: '$G', user: 'a', name: 'bad', lang: 'nats.js', kind: 'Client', client_type: 'nats', host: '127.0.0.1' },
        sent: { msgs: 0, bytes: 0 },
        received: { msgs: 0, bytes: 0 },
        reason: 'Authentication Failure',
      });
      expect(wrong!.body.id).toMatch(/^[0-9A-Za-z]{22}$/);
      expect(Number.isNaN(Date.parse(wrong!.body.client.stop))).toBe(false);
      expect(unknown!.body.client).toMatchObject({ acc: '$G', user: 'nobody' });
    } finally {
      await admin.close();
      await server.stop();
    }
  });

  it('sends SHUTDOWN with the server block as its body when the server stops', async () => {
    const server = await startServer(target, `server_name: DOWN\n${ACCOUNTS}`);
    const admin = await connect({ servers: server.clientUrl, user: 'admin', pass: 'admin', reconnect: false });
    const events = collect(admin, '$SYS.SERVER.*.SHUTDOWN');
    await admin.flush();
    const closed = admin.closed();
    server.signal('SIGTERM');
    await closed;
    expect(events).toHaveLength(1);
    const body = events[0]!.body;
    expect(events[0]!.subject).toBe(`$SYS.SERVER.${body.id}.SHUTDOWN`);
    expect(body).toMatchObject({ name: 'DOWN', host: '127.0.0.1', ver: '2.9.10', jetstream: false });
    expect(typeof body.seq).toBe('number');
    expect(Number.isNaN(Date.parse(body.time))).toBe(false);
    await server.stop();
  });
});
