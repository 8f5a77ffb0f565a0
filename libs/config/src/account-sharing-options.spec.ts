import { describe, expect, it } from 'vitest';
import { ConfigFiles } from './config-files.test-support.js';
import { loadConfigFile } from './load.js';

const files = new ConfigFiles('nats-ts-sharing-');

const write = (text: string): string => files.write(text);

const errorsOf = (text: string): string[] => files.errorsOf(text);

const accounts = (a: string, b: string) => `accounts {\n  A: { ${a} }\n  B: { ${b} }\n  C: {}\n}\n`;

describe('accounts: exports, imports and mappings', () => {
  it('reads exports and imports with nats-server 2.9 keys', () => {
    const path = write(`
mappings { "orders.*": "orders.{{wildcard(1)}}.new", "svc": [ { destination: "svc.v1", weight: 80% }, { destination: "svc.v2", weight: "20%" } ] }
${accounts(
  `exports: [ { service: "help.>", response_type: Stream, response_threshold: "5s" }, { stream: "news.>" }, { service: "priv.>", accounts: [C] } ], mappings: { x: y }`,
  `imports: [ { service: { account: A, subject: "help.>" }, to: "a.help.>" }, { stream: { account: A, subject: "news.>" }, prefix: "a" }, { stream: { account: A, subject: "news.x" }, to: "n.x" } ]`,
)}`);
    const { options } = loadConfigFile(path, {});
    const [a, b] = options.accounts;
    expect(a!.sharing).toMatchObject({
      serviceExports: [
        { subject: 'help.>', responseType: 'Stream', responseThresholdMs: 5000 },
        { subject: 'priv.>', responseType: 'Singleton', responseThresholdMs: 120_000, accounts: ['C'] },
      ],
      streamExports: [{ subject: 'news.>' }],
      mappings: [{ source: 'x', destinations: [{ subject: 'y', weight: 100 }] }],
    });
    expect(b!.sharing).toMatchObject({
      serviceImports: [{ account: 'A', subject: 'help.>', to: 'a.help.>', share: false }],
      streamImports: [
        { account: 'A', subject: 'news.>', to: 'a.news.>' },
        { account: 'A', subject: 'news.x', to: 'n.x' },
      ],
    });
    expect(options.mappings).toMatchObject([
      { source: 'orders.*', destinations: [{ subject: 'orders.{{wildcard(1)}}.new', weight: 100 }], at: `${path}:2:12` },
      { source: 'svc', destinations: [{ subject: 'svc.v1', weight: 80 }, { subject: 'svc.v2', weight: 20 }] },
    ]);
  });

  it('reads service latency tracking, and refuses what nats-server refuses', () => {
    const path = write(accounts('exports: [ { service: "x", latency: { sampling: 50%, subject: lat } }, { service: "y", latency: "lat.y" }, { service: "z", latency: { sampling: 7, subject: lat.z } } ]', ''));
    const { options, warnings } = loadConfigFile(path, {});
    expect(warnings).toEqual([]);
    expect(options.accounts[0]!.sharing!.serviceExports.map((x) => x.latency)).toEqual([
      { sampling: 50, subject: 'lat' },
      { sampling: 100, subject: 'lat.y' },
      { sampling: 7, subject: 'lat.z' },
    ]);
    expect(errorsOf(accounts('exports: [ { service: "lat.>", latency: { subject: "lat.results" } } ]', ''))).toEqual([
      'F:2:39: Error adding service latency sampling for "lat.>" on subject "lat.results": invalid publish subject',
    ]);
    expect(errorsOf(accounts('exports: [ { service: "x", latency: { sampling: 0, subject: lat } } ]', ''))).toEqual(['F:2:46: bad sampling percentage, should be 1-100']);
    expect(errorsOf(accounts('exports: [ { service: "x", latency: { sampling: 50% } } ]', ''))).toEqual(['F:2:35: Latency subject required, but missing']);
    expect(errorsOf(accounts('exports: [ { service: "x", latency: { sampling: headers, subject: lat } } ]', ''))).toEqual([
      'F:2:46: "sampling" is not supported: sampling by trace headers is not implemented',
    ]);
    expect(errorsOf(accounts('exports: [ { stream: "x", latency: lat } ]', ''))).toEqual(['F:2:34: Detected latency directive on non-service']);
  });

  it.each([
    ['an import from an unknown account', accounts('', 'imports: [ { stream: { account: Z, subject: "x" } } ]'), ['F:3:19: "Z" account not defined for stream import']],
    [
      'an import of what is not exported',
      accounts('exports: [ { stream: "news.>" } ]', 'imports: [ { stream: { account: A, subject: "other.>" } } ]'),
      ['F:3:19: Error adding stream import "other.>": stream import not authorized'],
    ],
    [
      'an import wider than the export',
      accounts('exports: [ { service: "help.x" } ]', 'imports: [ { service: { account: A, subject: "help.*" } } ]'),
      ['F:3:19: Error adding service import "help.*": service import not authorized'],
    ],
    [
      'a private export imported by another account',
      accounts('exports: [ { service: "priv.>", accounts: [C] } ]', 'imports: [ { service: { account: A, subject: "priv.x" } } ]'),
      ['F:3:19: Error adding service import "priv.x": service import not authorized'],
    ],
    ['a private export to an unknown account', accounts('exports: [ { stream: "s", accounts: [Z] } ]', ''), ['F:2:19: "Z" account not defined for stream export']],
    ['a bad export subject', accounts('exports: [ { service: "help..>" } ]', ''), ['F:2:21: "service": "help..>" is not a valid subject']],
    ['a bad import subject', accounts('', 'imports: [ { service: { account: A, subject: "a b" } } ]'), ['F:3:44: "subject": "a b" is not a valid subject']],
    [
      'a wildcard prefix',
      accounts('exports: [ { stream: "n" } ]', 'imports: [ { stream: { account: A, subject: "n" }, prefix: "p.*" } ]'),
      ['F:3:59: Error adding stream import "n": stream import prefix can not contain wildcard tokens'],
    ],
    [
      'a prefix and a to',
      accounts('exports: [ { stream: "n" } ]', 'imports: [ { stream: { account: A, subject: "n" }, prefix: p, to: q } ]'),
      ["F:3:70: Stream import can not have a 'prefix' and a 'to' property"],
    ],
    ['a response type on a stream', accounts('exports: [ { stream: "n", response_type: stream } ]', ''), ['F:2:34: Detected response directive on non-service']],
    ['an unknown response type', accounts('exports: [ { service: "n", response_type: bogus } ]', ''), ['F:2:35: Unknown response type: "bogus"']],
    [
      'two service imports on one subject',
      accounts('exports: [ { service: "a" }, { service: "b" } ]', 'imports: [ { service: { account: A, subject: "a" }, to: x }, { service: { account: A, subject: "b" }, to: x } ]'),
      ['F:3:69: Duplicate service import subject "x", previously used in import for account "A", subject "a"'],
    ],
    [
      'service imports forming a cycle',
      accounts(
        'exports: [ { service: "q" } ], imports: [ { service: { account: B, subject: "r" }, to: "q" } ]',
        'exports: [ { service: "r" } ], imports: [ { service: { account: A, subject: "q" }, to: "r" } ]',
      ),
      ['F:2:50: Error adding service import "r": import forms a cycle', 'F:3:50: Error adding service import "q": import forms a cycle'],
    ],
    [
      'stream imports forming a cycle',
      accounts(
        'exports: [ { stream: "s.>" } ], imports: [ { stream: { account: B, subject: "s.>" } } ]',
        'exports: [ { stream: "s.>" } ], imports: [ { stream: { account: A, subject: "s.>" } } ]',
      ),
      ['F:2:51: Error adding stream import "s.>": import forms a cycle', 'F:3:51: Error adding stream import "s.>": import forms a cycle'],
    ],
    [
      'an account token position',
      accounts('exports: [ { service: "x.*", account_token_position: 2 } ]', ''),
      ['F:2:37: "account_token_position" is not supported: exports that name the importing account in a subject token are not implemented'],
    ],
    ['a bad mapping source', 'mappings { "a..b": c }', ['F:1:12: Subject "a..b" is not a valid subject']],
    [
      'weights over 100',
      'mappings { s: [ { destination: a, weight: 80% }, { destination: b, weight: 30% } ] }',
      ['F:1:12: Error adding mapping for "s": total weight needs to be <= 100'],
    ],
    ['a weight missing', 'mappings { s: [ { destination: a } ] }', ['F:1:17: Missing weight for mapping destination "a"']],
    ['a bad weight', 'mappings { s: [ { destination: a, weight: 120% } ] }', ['F:1:35: Invalid weight 120 for mapping destination']],
  ])('refuses %s at load, naming file:line:col', (_name, text, expected) => {
    expect(errorsOf(text)).toEqual(expected);
  });
});
