import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { RawClient } from './support/raw.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

describeEachTarget('ports file and pid file', (target) => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('writes nats-server_<pid>.ports listing the client URL as JSON', async () => {
    server = await startServer(target);
    const name = `nats-server_${server.pid}.ports`;
    expect(readdirSync(server.dir)).toContain(name);
    const ports = JSON.parse(readFileSync(join(server.dir, name), 'utf8'));
    expect(Object.keys(ports)).toEqual(['nats']);
    expect(ports.nats).toEqual([`nats://127.0.0.1:${server.port}`]);
    expect(server.port).toBeGreaterThan(0);
    const client = await RawClient.connect(server.port);
    expect(client.info.port).toBe(server.port);
    client.close();
  });

  it('lists monitoring and websocket listeners when configured', async () => {
    server = await startServer(target, 'http: "127.0.0.1:-1"\nwebsocket { host: 127.0.0.1, port: -1, no_tls: true }');
    const ports = server.portsFile;
    expect(Object.keys(ports).sort()).toEqual(['monitoring', 'nats', 'websocket']);
    expect(ports.monitoring).toEqual([server.httpUrl]);
    expect(server.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ports.websocket).toEqual([server.wsUrl]);
    expect(server.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${server.httpUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  it('monitoring port from the -m flag appears in the ports file (monitoring binds to host)', async () => {
    server = await startServer(target, '', { extraArgs: ['-m', '-1'] });
    expect(server.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${server.httpUrl}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('removes the ports file on shutdown', async () => {
    server = await startServer(target);
    const portsPath = join(server.dir, `nats-server_${server.pid}.ports`);
    expect(existsSync(portsPath)).toBe(true);
    server.signal('SIGTERM');
    await server.waitExit(5_000);
    expect(existsSync(portsPath)).toBe(false);
  });

  it('writes the process id to pid_file (relative to the working directory)', async () => {
    server = await startServer(target, 'pid_file: "server.pid"');
    const pidPath = join(server.dir, 'server.pid');
    expect(readFileSync(pidPath, 'utf8')).toBe(String(server.pid));
  });

  it('pid file from the -P flag', async () => {
    server = await startServer(target, '', { extraArgs: ['-P', 'flag.pid'] });
    expect(readFileSync(join(server.dir, 'flag.pid'), 'utf8')).toBe(String(server.pid));
  });
});
