// `npm run fuzz`: drives random and mutated client, route and leaf streams at a running server
// over sockets, checks after every batch that a well-behaved client is still served, and prints
// the counts. Exits 1 when the server dies, stops serving, or leaves a connection hanging.
import { freePort, ServerProcess } from '@nats-ts/bench/server-process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSession, type SessionResult } from './fuzz-session.js';
import { wellBehavedRoundTrip } from './health-check.js';
import { parseFuzzOptions, USAGE, type FuzzOptions, type LinkKind } from './options.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface KindTally {
  sessions: number;
  frames: number;
  mutations: number;
  randomChunks: number;
  bytes: number;
  closedWithError: number;
  readonly errorTexts: Map<string, number>;
}

function newTally(): KindTally {
  return { sessions: 0, frames: 0, mutations: 0, randomChunks: 0, bytes: 0, closedWithError: 0, errorTexts: new Map() };
}

function record(tally: KindTally, result: SessionResult): void {
  tally.sessions++;
  tally.frames += result.frames;
  tally.mutations += result.mutations;
  tally.randomChunks += result.randomChunks;
  tally.bytes += result.bytes;
  if (result.errors.length > 0) tally.closedWithError++;
  for (const text of result.errors) tally.errorTexts.set(text, (tally.errorTexts.get(text) ?? 0) + 1);
}

function inputsOf(tally: KindTally): number {
  return tally.frames + tally.mutations + tally.randomChunks;
}

async function startTarget(options: FuzzOptions, dir: string): Promise<{ server: ServerProcess; ports: Record<LinkKind, number> }> {
  const routePort = await freePort();
  const leafPort = await freePort();
  const config = join(dir, 'fuzz.conf');
  writeFileSync(config, `cluster { name: fuzz, listen: "127.0.0.1:${routePort}" }\nleafnodes { listen: "127.0.0.1:${leafPort}" }\n`);
  const server = await ServerProcess.start(options.target, repositoryRoot, ['-c', config]);
  return { server, ports: { client: server.port, route: routePort, leaf: leafPort } };
}

function report(options: FuzzOptions, tallies: Map<LinkKind, KindTally>, checks: number, seconds: number, rssMiB: number | undefined): void {
  let total = 0;
  console.log(`| kind | connections | inputs | frames | mutations | random chunks | MiB sent | closed with -ERR |`);
  console.log(`|------|-------------|--------|--------|-----------|---------------|----------|------------------|`);
  for (const [kind, tally] of tallies) {
    total += inputsOf(tally);
    console.log(
      `| ${kind} | ${tally.sessions} | ${inputsOf(tally)} | ${tally.frames} | ${tally.mutations} | ${tally.randomChunks} | ${(tally.bytes / 2 ** 20).toFixed(1)} | ${tally.closedWithError} |`,
    );
  }
  console.log(`\n${total} inputs at ${options.target} in ${seconds.toFixed(1)} s (seed ${options.seed}); ${checks} health checks passed; server RSS at the end ${rssMiB === undefined ? 'unknown' : `${rssMiB.toFixed(1)} MiB`}`);
  for (const [kind, tally] of tallies) {
    const top = [...tally.errorTexts].sort((a, b) => b[1] - a[1]).slice(0, 6);
    if (top.length > 0) console.log(`${kind} -ERR texts: ${top.map(([text, count]) => `${text} ×${count}`).join('; ')}`);
  }
}

async function main(): Promise<number> {
  let options: FuzzOptions;
  try {
    options = parseFuzzOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`fuzz: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'nats-ts-fuzz-'));
  const { server, ports } = await startTarget(options, dir);
  const tallies = new Map<LinkKind, KindTally>(options.kinds.map((kind) => [kind, newTally()]));
  const started = performance.now();
  let sessionIndex = 0;
  let checks = 0;
  let sent = 0;
  console.log(`fuzz: ${options.inputs} inputs at ${options.target} (client ${ports.client}, route ${ports.route}, leaf ${ports.leaf}), seed ${options.seed}`);
  try {
    while (sent < options.inputs) {
      const batch: Promise<SessionResult>[] = [];
      for (let i = 0; i < options.checkEvery && sent < options.inputs; i++) {
        const kind = options.kinds[sessionIndex % options.kinds.length]!;
        const seed = options.seed + sessionIndex++;
        // Estimated here so the loop stops near the requested count; the report counts what was sent.
        sent += options.framesPerConnection + 1;
        batch.push(runSession(kind, ports[kind], options.framesPerConnection, seed));
        if (batch.length % options.concurrency === 0) await Promise.all(batch.slice(-options.concurrency));
      }
      for (const result of await Promise.all(batch)) record(tallies.get(result.kind)!, result);
      if (!server.alive) throw new Error(`the server died: ${server.describeExit()}`);
      await wellBehavedRoundTrip(ports.client, ++checks);
    }
    const rss = server.memory()?.rssBytes;
    report(options, tallies, checks, (performance.now() - started) / 1000, rss === undefined ? undefined : rss / 2 ** 20);
    return 0;
  } catch (error) {
    console.error(`fuzz: FAILED after ${sessionIndex} connections (seed ${options.seed}): ${(error as Error).message}`);
    console.error(`server: ${server.describeExit()}`);
    return 1;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
