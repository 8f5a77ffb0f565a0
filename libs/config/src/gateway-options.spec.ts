import { describe, expect, it } from 'vitest';
import { loadOptions } from './load.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function load(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'gwconf-'));
  const file = join(dir, 'server.conf');
  writeFileSync(file, text);
  return loadOptions(['-c', file], {});
}

describe('gateway block', () => {
  it('reads name, listen, advertise, reject_unknown_cluster, authorization, gateways and connect_retries', () => {
    const { options, warnings } = load(`
      cluster { listen: 127.0.0.1:6222 }
      gateway {
        name: A
        listen: 127.0.0.1:7222
        advertise: gw.example.com:7000
        reject_unknown_cluster: true
        connect_retries: 3
        authorization { user: gw, password: secret, timeout: 1.5 }
        gateways: [
          { name: A, urls: [nats://127.0.0.1:7222] }
          { name: B, urls: [nats://127.0.0.1:7333, "nats://127.0.0.1:7334"] }
          { name: C, url: nats://127.0.0.1:7444 }
        ]
      }`);
    expect(warnings.filter((w) => w.includes('gateway'))).toEqual([]);
    expect(options.gateway).toEqual({
      name: 'A',
      host: '127.0.0.1',
      port: 7222,
      advertise: 'gw.example.com:7000',
      rejectUnknownCluster: true,
      connectRetries: 3,
      user: 'gw',
      password: 'secret',
      authTimeoutMs: 1500,
      gateways: [
        { name: 'A', urls: ['nats://127.0.0.1:7222'] },
        { name: 'B', urls: ['nats://127.0.0.1:7333', 'nats://127.0.0.1:7334'] },
        { name: 'C', urls: ['nats://127.0.0.1:7444'] },
      ],
    });
    // As nats-server: the cluster takes the gateway's name when it has none.
    expect(options.cluster?.name).toBe('A');
  });

  it('refuses a cluster name other than the gateway name, as nats-server does', () => {
    expect(() => load('cluster { name: X, port: 6222 }\ngateway { name: A, port: 7222 }')).toThrow(/cluster name conflicts between cluster and gateway definitions/);
    expect(load('cluster { name: A, port: 6222 }\ngateway { name: A, port: 7222 }').options.cluster?.name).toBe('A');
  });

  it('is off without a port, defaults the host, and needs a name', () => {
    expect(load('gateway { name: A }').options.gateway).toBeUndefined();
    expect(load('gateway { name: A, port: 7222 }').options.gateway?.host).toBe('0.0.0.0');
    expect(() => load('gateway { port: 7222 }')).toThrow(/gateway has no name/);
  });

  it('rejects malformed entries', () => {
    expect(() => load('gateway { name: A, port: 1, gateways: [ { urls: [nats://h:1] } ] }')).toThrow(/requires a name/);
    expect(() => load('gateway { name: A, port: 1, gateways: [ { name: B, urls: ["::bad"] } ] }')).toThrow(/error parsing gateway url/);
    expect(() => load('gateway { name: A, port: 1, bogus: 1 }')).toThrow(/bogus/);
  });

  it('reads the gateway tls block and a remote\'s own, checking the files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gwtls-'));
    for (const name of ['cert.pem', 'key.pem', 'ca.pem', 'other.pem']) writeFileSync(join(dir, name), '');
    const { options, warnings } = load(`gateway {
      name: A, port: 7222
      tls { cert_file: "${dir}/cert.pem", key_file: "${dir}/key.pem", ca_file: "${dir}/ca.pem", timeout: 3, insecure: true }
      gateways: [ { name: B, url: "nats://h:1", tls { cert_file: "${dir}/other.pem", key_file: "${dir}/key.pem" } } ]
    }`);
    expect(warnings.filter((w) => w.includes('gateway'))).toEqual([]);
    expect(options.gateway?.tls).toEqual({ certFile: `${dir}/cert.pem`, keyFile: `${dir}/key.pem`, caFile: `${dir}/ca.pem`, verify: false, insecure: true, timeoutMs: 3000 });
    expect(options.gateway?.gateways[0]?.tls).toMatchObject({ certFile: `${dir}/other.pem`, keyFile: `${dir}/key.pem` });
    expect(() => load(`gateway { name: A, port: 1, tls { cert_file: "${dir}/cert.pem" } }`)).toThrow(/missing "key_file" in gateway tls/);
    expect(() => load(`gateway { name: A, port: 1, tls { cert_file: "${dir}/nope.pem", key_file: "${dir}/key.pem" } }`)).toThrow(/cannot read cert_file/);
  });
});
