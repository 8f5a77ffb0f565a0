import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Logger } from './logger.js';
import { MonitoringServer } from './monitoring.js';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheusText } from './prometheus.js';

interface ParsedFamily {
  help?: string;
  type?: string;
  samples: { labels: Record<string, string>; value: number }[];
}

// A strict reader of the text format 0.0.4 as Prometheus scrapes it: comment lines, then
// `name{label="value",...} value` lines, names and label escapes checked.
function parseExposition(text: string): Map<string, ParsedFamily> {
  const families = new Map<string, ParsedFamily>();
  const family = (name: string): ParsedFamily => {
    let f = families.get(name);
    if (f === undefined) families.set(name, (f = { samples: [] }));
    return f;
  };
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'HELP') family(meta[2]!).help = meta[3]!.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      else family(meta[2]!).type = meta[3];
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    const labelText = sample[2] ?? '';
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
    let consumed = 0;
    for (let m = labelPattern.exec(labelText); m !== null; m = labelPattern.exec(labelText)) {
      labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_all, c: string) => (c === 'n' ? '\n' : c));
      consumed = labelPattern.lastIndex;
      if (consumed === labelText.length) break;
    }
    expect(consumed).toBe(labelText.length);
    const value = sample[3] === '+Inf' ? Infinity : sample[3] === '-Inf' ? -Infinity : Number(sample[3]);
    family(sample[1]!).samples.push({ labels, value });
  }
  return families;
}

describe('renderPrometheusText', () => {
  it('writes HELP, TYPE and samples with escaped labels, and leaves out empty families', () => {
    const text = renderPrometheusText([
      { name: 'nats_ts_in_messages_total', help: 'Messages received.', type: 'counter', samples: [{ value: 42 }] },
      {
        name: 'nats_ts_bus_links',
        help: 'Bus links\nby direction \\ state.',
        type: 'gauge',
        samples: [
          { labels: { direction: 'in"bound', url: 'a\\b' }, value: 1 },
          { labels: { direction: 'outbound' }, value: 0 },
        ],
      },
      { name: 'nats_ts_nothing', help: 'Nothing.', type: 'gauge', samples: [] },
      { name: 'nats_ts_odd', help: 'Odd values.', type: 'gauge', samples: [{ value: NaN }, { labels: { k: 'v' }, value: Infinity }] },
    ]);
    expect(text).toBe(
      [
        '# HELP nats_ts_in_messages_total Messages received.',
        '# TYPE nats_ts_in_messages_total counter',
        'nats_ts_in_messages_total 42',
        '# HELP nats_ts_bus_links Bus links\\nby direction \\\\ state.',
        '# TYPE nats_ts_bus_links gauge',
        'nats_ts_bus_links{direction="in\\"bound",url="a\\\\b"} 1',
        'nats_ts_bus_links{direction="outbound"} 0',
        '# HELP nats_ts_odd Odd values.',
        '# TYPE nats_ts_odd gauge',
        'nats_ts_odd NaN',
        'nats_ts_odd{k="v"} +Inf',
        '',
      ].join('\n'),
    );
    const parsed = parseExposition(text);
    expect(parsed.get('nats_ts_bus_links')).toEqual({
      help: 'Bus links\nby direction \\ state.',
      type: 'gauge',
      samples: [
        { labels: { direction: 'in"bound', url: 'a\\b' }, value: 1 },
        { labels: { direction: 'outbound' }, value: 0 },
      ],
    });
    expect(parsed.has('nats_ts_nothing')).toBe(false);
  });

  it('rejects names the format does not allow', () => {
    expect(() => renderPrometheusText([{ name: 'bad-name', help: '', type: 'gauge', samples: [{ value: 1 }] }])).toThrow(/metric name/);
    expect(() => renderPrometheusText([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { 'bad-label': 'x' }, value: 1 }] }])).toThrow(/label name/);
  });
});

describe('MonitoringServer text endpoints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nats-ts-prometheus-'));
  const logger = new Logger({ logFile: join(dir, 'server.log'), logtime: false });
  const servers: MonitoringServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  afterAll(() => {
    logger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the text computed at each scrape with the Prometheus content type, under the base path', async () => {
    const server = new MonitoringServer({ host: '127.0.0.1', port: 0, basePath: '/mon', logger });
    servers.push(server);
    let scrapes = 0;
    server.addTextEndpoint(
      '/metrics',
      () => {
        scrapes++;
        return renderPrometheusText([{ name: 'scrapes_total', help: 'Scrapes.', type: 'counter', samples: [{ value: scrapes }] }]);
      },
      { contentType: PROMETHEUS_CONTENT_TYPE },
    );
    const { port } = await server.start();
    for (const expected of [1, 2]) {
      const response = await fetch(`http://127.0.0.1:${port}/mon/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
      const families = parseExposition(await response.text());
      expect(families.get('scrapes_total')).toEqual({ help: 'Scrapes.', type: 'counter', samples: [{ labels: {}, value: expected }] });
    }
    expect(server.requestCounts()).toEqual({ '/metrics': 2 });
    const index = await (await fetch(`http://127.0.0.1:${port}/mon`)).text();
    expect(index).toContain('./mon/metrics');
  });

  it('answers 500 in plain text when the handler fails', async () => {
    const server = new MonitoringServer({ host: '127.0.0.1', port: 0, logger });
    servers.push(server);
    server.addTextEndpoint('/metrics', () => Promise.reject(new Error('boom')));
    const response = await server.inject('/metrics');
    expect(response.statusCode).toBe(500);
    expect(response.body).toBe('Internal Server Error\n');
  });
});
