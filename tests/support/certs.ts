import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of a throwaway PKI, generated at test time so no key is ever committed. */
export interface TestCerts {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  /** Server certificate with SANs 127.0.0.1, ::1 and localhost, signed by the CA. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** Client certificate (CN=test-client, extendedKeyUsage clientAuth), signed by the CA. */
  readonly clientCert: string;
  readonly clientKey: string;
  /**
   * Certificate of a server that both accepts and dials (routes, gateways): extendedKeyUsage
   * serverAuth and clientAuth, SANs 127.0.0.1, ::1 and localhost, signed by the CA.
   */
  readonly nodeCert: string;
  readonly nodeKey: string;
  /** Deletes the directory holding all files above. */
  cleanup(): void;
}

function openssl(dir: string, args: string[]): void {
  // stdio ignored: openssl prints progress dots on stderr that would clutter test output;
  // a failure still throws with its exit status.
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
}

function issue(dir: string, name: string, subject: string, extensions: string): void {
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, extensions);
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subject]);
  openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial',
    '-out', `${name}.pem`, '-days', '2', '-sha256', '-extfile', extFile,
  ]);
}

/** Creates a CA, a server, a client and a node certificate for loopback in a new temp dir. */
export function generateTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'nats-ts-certs-'));
  try {
    openssl(dir, [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem',
      '-days', '2', '-sha256', '-subj', '/CN=nats-ts test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    issue(dir, 'server', '/CN=localhost', [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
      '',
    ].join('\n'));
    issue(dir, 'client', '/CN=test-client', [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=clientAuth',
      '',
    ].join('\n'));
    issue(dir, 'node', '/CN=test-node', [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
      '',
    ].join('\n'));
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    dir,
    caCert: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server-key.pem'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client-key.pem'),
    nodeCert: join(dir, 'node.pem'),
    nodeKey: join(dir, 'node-key.pem'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * One more client certificate from the CA of `certs`: `subject` in openssl's form
 * (`/O=acme/OU=eng/CN=alice`, least specific first), `subjectAltName` as the extension's value.
 */
export function issueClientCert(certs: TestCerts, name: string, subject: string, subjectAltName?: string): { cert: string; key: string } {
  issue(certs.dir, name, subject, [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=clientAuth',
    subjectAltName !== undefined ? `subjectAltName=${subjectAltName}` : '',
    '',
  ].join('\n'));
  return { cert: join(certs.dir, `${name}.pem`), key: join(certs.dir, `${name}-key.pem`) };
}
