import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { networkInterfaces } from 'node:os';

/** The URLs each listener is reachable at, as nats-server writes them into its ports file. */
export interface PortsReport {
  nats?: string[];
  monitoring?: string[];
  cluster?: string[];
  websocket?: string[];
  leafnode?: string[];
  /** nats-ts's TCP bus listener (`tcp://host:port`, as advertised to the other processes). */
  bus?: string[];
}

/** Expands a wildcard bind address into the host's addresses, as nats-server does for its ports file. */
export function urlsFor(scheme: string, host: string, port: number): string[] {
  const hosts: string[] = [];
  if (host === '0.0.0.0' || host === '::' || host === '') {
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) {
        if (a.family === 'IPv4' || (host === '::' && a.family === 'IPv6')) hosts.push(a.address);
      }
    }
  } else {
    hosts.push(host);
  }
  return hosts.map((h) => `${scheme}://${h.includes(':') ? `[${h}]` : h}:${port}`);
}

export function portsFilePath(dir: string, pid = process.pid): string {
  return join(dir, `nats-server_${pid}.ports`);
}

export function writePortsFile(dir: string, report: PortsReport): string {
  const path = portsFilePath(dir);
  writeFileSync(path, JSON.stringify(report));
  return path;
}

export function writePidFile(path: string): void {
  writeFileSync(path, String(process.pid));
}

export function removeQuietly(path: string | undefined): void {
  if (path === undefined) return;
  try {
    rmSync(path, { force: true });
  } catch {
    // The file may already be gone; nothing to clean.
  }
}
