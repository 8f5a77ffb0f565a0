// Malformed and edge-case client protocol input, answered exactly as nats-server 2.9.10 answers it.
// After every test a long-lived observer connection and a fresh connection must still be served.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { RawClient } from './support/raw.js';
import { describeEachTarget, startServer, type RunningServer } from './support/servers.js';

const quiet = { verbose: false, pedantic: false };

describeEachTarget('protocol errors', (target) => {
  let server: RunningServer;
  let observer: RawClient;
  const clients: RawClient[] = [];
  let subjectCounter = 0;
  const uniqueSubject = (prefix: string): string => `${prefix}.${++subjectCounter}`;

  beforeAll(async () => {
    server = await startServer(target);
    observer = await RawClient.connected(server.port);
    await observer.roundTrip('SUB observer.check 1\r\n');
  });

  afterAll(async () => {
    observer?.close();
    await server?.stop();
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    // The server keeps serving existing and new clients after whatever the test did.
    const lines = await observer.roundTrip('PUB observer.check 2\r\nok\r\n');
    expect(lines).toEqual(['MSG observer.check 1 2', 'ok']);
    const fresh = await RawClient.connected(server.port);
    expect(await fresh.roundTrip()).toEqual([]);
    fresh.close();
  });

  /** A connection that has not sent CONNECT yet. */
  async function fresh(): Promise<RawClient> {
    const client = await RawClient.connect(server.port);
    clients.push(client);
    return client;
  }

  /** A connection past CONNECT (verbose and pedantic off unless overridden). */
  async function connected(fields: Record<string, unknown> = {}): Promise<RawClient> {
    const client = await RawClient.connected(server.port, { ...quiet, ...fields });
    clients.push(client);
    return client;
  }

  async function expectErrThenClose(client: RawClient, input: string | Uint8Array, error: string): Promise<void> {
    client.send(input);
    expect(await client.nextLine()).toBe(`-ERR '${error}'`);
    expect(await client.waitClosed()).toBe(true);
    expect(client.pendingLines()).toEqual([]);
  }

  /** nats-server closes these connections without sending anything. */
  async function expectSilentClose(client: RawClient, input: string | Uint8Array): Promise<void> {
    const before = client.lines().length;
    client.send(input);
    expect(await client.waitClosed()).toBe(true);
    expect(client.lines().slice(before)).toEqual([]);
  }

  it('INFO is the first line and describes the server', async () => {
    const client = await fresh();
    // nats-server ends the INFO line with a space before the CRLF; clients ignore it.
    expect(client.lines()[0]).toMatch(/^INFO \{.*\} ?$/);
    expect(client.info).toMatchObject({
      host: '127.0.0.1',
      port: server.port,
      max_payload: 1048576,
      proto: 1,
      headers: true,
    });
    expect(typeof client.info.server_id).toBe('string');
    expect(typeof client.info.version).toBe('string');
    expect(typeof client.info.client_id).toBe('number');
  });

  it('unknown verb → Unknown Protocol Operation, then close', async () => {
    await expectErrThenClose(await connected(), 'FOO bar\r\n', 'Unknown Protocol Operation');
  });

  it('unknown verb before CONNECT → Unknown Protocol Operation, then close', async () => {
    await expectErrThenClose(await fresh(), 'FOOBAR\r\n', 'Unknown Protocol Operation');
  });

  it('binary garbage → Unknown Protocol Operation, then close', async () => {
    await expectErrThenClose(await connected(), Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x0d, 0x0a]), 'Unknown Protocol Operation');
  });

  it('empty line → Unknown Protocol Operation, then close', async () => {
    await expectErrThenClose(await connected(), '\r\n', 'Unknown Protocol Operation');
  });

  it('leading whitespace before a verb → Unknown Protocol Operation, then close', async () => {
    await expectErrThenClose(await connected(), ' PING\r\n', 'Unknown Protocol Operation');
  });

  it('server-to-client MSG sent by a client → Unknown Protocol Operation, then close', async () => {
    await expectErrThenClose(await connected(), 'MSG foo 1 2\r\nhi\r\n', 'Unknown Protocol Operation');
  });

  it('route/leafnode verbs sent by a client → Unknown Protocol Operation, then close', async () => {
    await expectErrThenClose(await connected(), 'RS+ foo\r\n', 'Unknown Protocol Operation');
    await expectErrThenClose(await connected(), 'LS+ foo\r\n', 'Unknown Protocol Operation');
    await expectErrThenClose(await connected(), 'A+ foo\r\n', 'Unknown Protocol Operation');
  });

  it('-ERR sent by a client closes the connection silently', async () => {
    await expectSilentClose(await connected(), "-ERR 'oops'\r\n");
  });

  it('+OK, PONG and INFO sent by a client are accepted and ignored', async () => {
    const client = await connected();
    expect(await client.roundTrip('+OK\r\nPONG\r\nINFO {}\r\n')).toEqual([]);
  });

  it('verbs are case-insensitive and PING ignores what follows it on the line', async () => {
    const client = await fresh();
    const subject = uniqueSubject('case');
    client.send('connect {"verbose":false}\r\nping\r\nPiNg\r\nPING extra words\r\nPINGX\r\n');
    for (let i = 0; i < 4; i++) expect(await client.nextLine()).toBe('PONG');
    expect(await client.roundTrip(`sub ${subject} 1\r\npub ${subject} 2\r\nhi\r\n`)).toEqual([`MSG ${subject} 1 2`, 'hi']);
  });

  it('tabs and repeated spaces separate arguments; a bare LF ends a control line', async () => {
    const client = await connected();
    const subject = uniqueSubject('tabs');
    expect(await client.roundTrip(`SUB\t${subject}  \t 7\nPUB\t${subject}\t\t2\r\nhi\r\n`)).toEqual([
      `MSG ${subject} 7 2`,
      'hi',
    ]);
  });

  it('PING before CONNECT gets PONG when no auth is configured', async () => {
    const client = await fresh();
    expect(await client.roundTrip()).toEqual([]);
    expect(client.closed).toBe(false);
  });

  it('before CONNECT the client is verbose: SUB and PUB are acknowledged with +OK', async () => {
    const client = await fresh();
    const subject = uniqueSubject('preconnect');
    expect(await client.roundTrip(`SUB ${subject} 1\r\nPUB ${subject} 2\r\nhi\r\n`)).toEqual([
      '+OK',
      '+OK',
      `MSG ${subject} 1 2`,
      'hi',
    ]);
  });

  it('verbose mode acknowledges CONNECT, SUB, PUB and UNSUB (even of an unknown sid), not PING', async () => {
    const client = await fresh();
    const subject = uniqueSubject('verbose');
    expect(
      await client.roundTrip(`CONNECT {"verbose":true}\r\nSUB ${subject} 1\r\nPUB ${subject} 2\r\nhi\r\nUNSUB 1\r\nUNSUB 99\r\n`),
    ).toEqual(['+OK', '+OK', '+OK', `MSG ${subject} 1 2`, 'hi', '+OK', '+OK']);
  });

  it('CONNECT may follow CONNECT and replaces the options', async () => {
    const client = await connected();
    expect(await client.roundTrip('CONNECT {"verbose":true}\r\n')).toEqual(['+OK']);
  });

  it('CONNECT without a space before the JSON is accepted', async () => {
    const client = await fresh();
    expect(await client.roundTrip('CONNECT{"verbose":true}\r\n')).toEqual(['+OK']);
  });

  it('CONNECT ignores unknown fields', async () => {
    const client = await fresh();
    expect(await client.roundTrip('CONNECT {"verbose":false,"no_such_field":1}\r\n')).toEqual([]);
  });

  it('CONNECT with malformed JSON closes the connection without an error line', async () => {
    await expectSilentClose(await fresh(), 'CONNECT {bad\r\nPING\r\n');
  });

  it('CONNECT with JSON that is not an object closes the connection silently', async () => {
    await expectSilentClose(await fresh(), 'CONNECT []\r\nPING\r\n');
  });

  it('CONNECT with a wrongly typed field closes the connection silently', async () => {
    await expectSilentClose(await fresh(), 'CONNECT {"verbose":"yes"}\r\nPING\r\n');
  });

  it('CONNECT with an unsupported protocol → invalid client protocol, then close', async () => {
    await expectErrThenClose(await fresh(), 'CONNECT {"verbose":false,"protocol":2}\r\nPING\r\n', 'invalid client protocol');
  });

  it('no_responders without headers → no responders requires headers support, then close', async () => {
    await expectErrThenClose(
      await fresh(),
      'CONNECT {"verbose":false,"no_responders":true}\r\nPING\r\n',
      'no responders requires headers support',
    );
  });

  it('control line longer than max_control_line (4096) → maximum control line exceeded, then close', async () => {
    const client = await connected();
    // The limit applies to the arguments after the verb: 4096 bytes pass, 4097 do not.
    const fits = `SUB ${'a'.repeat(4094)} 1\r\n`;
    expect(await client.roundTrip(fits)).toEqual([]);
    await expectErrThenClose(client, `SUB ${'a'.repeat(4095)} 1\r\n`, 'maximum control line exceeded');
  });

  it('an unterminated control line is cut off at max_control_line', async () => {
    await expectErrThenClose(await connected(), `PUB ${'b'.repeat(5000)}`, 'maximum control line exceeded');
  });

  it('CONNECT is subject to max_control_line too', async () => {
    const name = 'n'.repeat(5000);
    await expectErrThenClose(await fresh(), `CONNECT {"verbose":false,"name":"${name}"}\r\n`, 'maximum control line exceeded');
  });

  it('PUB declaring more than max_payload → Maximum Payload Violation, then close (no payload needed)', async () => {
    await expectErrThenClose(await connected(), 'PUB foo 1048577\r\n', 'Maximum Payload Violation');
  });

  it('HPUB whose total size exceeds max_payload → Maximum Payload Violation, then close', async () => {
    await expectErrThenClose(await connected({ headers: true }), 'HPUB foo 12 1048577\r\n', 'Maximum Payload Violation');
  });

  it('PUB with a non-numeric size closes silently', async () => {
    await expectSilentClose(await connected(), 'PUB foo bar\r\n');
  });

  it('PUB with a negative size closes silently', async () => {
    await expectSilentClose(await connected(), 'PUB foo -1\r\n');
  });

  it('PUB with a size that overflows closes silently', async () => {
    await expectSilentClose(await connected(), 'PUB foo 99999999999999999999999\r\n');
  });

  it('PUB with a subject only closes silently', async () => {
    await expectSilentClose(await connected(), 'PUB foo\r\n');
  });

  it('PUB with too many arguments closes silently', async () => {
    await expectSilentClose(await connected(), 'PUB foo a b 2\r\n');
  });

  it('PUB with no arguments at all → Unknown Protocol Operation, then close', async () => {
    await expectErrThenClose(await connected(), 'PUB\r\n', 'Unknown Protocol Operation');
  });

  it('payload longer than declared → Unknown Protocol Operation, then close', async () => {
    await expectErrThenClose(await connected(), 'PUB foo 3\r\nabcdef\r\n', 'Unknown Protocol Operation');
  });

  it('payload shorter than declared, followed by more commands → Unknown Protocol Operation, then close', async () => {
    await expectErrThenClose(await connected(), 'PUB foo 5\r\nab\r\nPING\r\n', 'Unknown Protocol Operation');
  });

  it('payload not followed by CRLF → Unknown Protocol Operation, then close', async () => {
    await expectErrThenClose(await connected(), 'PUB foo 2\r\nhiPING\r\n', 'Unknown Protocol Operation');
  });

  it('the payload is exactly the declared bytes, CRLF inside it included, even when it arrives in pieces', async () => {
    const subscriber = await connected();
    const subject = uniqueSubject('split');
    await subscriber.roundTrip(`SUB ${subject} 1\r\n`);
    const publisher = await connected();
    publisher.send(`PUB ${subject} 6\r\nab\r\n`);
    // Nothing is delivered until the declared size and the trailing CRLF have arrived.
    expect(await subscriber.roundTrip()).toEqual([]);
    for (const piece of ['c', 'd', '\r', '\n']) {
      publisher.send(piece);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await publisher.roundTrip()).toEqual([]);
    await subscriber.waitForLine(`MSG ${subject} 1 6`);
    expect(subscriber.bytes().toString('latin1')).toContain(`MSG ${subject} 1 6\r\nab\r\ncd\r\n`);
  });

  it('a control line split across writes is reassembled', async () => {
    const client = await connected();
    const subject = uniqueSubject('pieces');
    for (const piece of ['SU', `B ${subject}`, ' 1\r', '\nPU', `B ${subject} 2\r\nh`, 'i\r\n']) {
      client.send(piece);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await client.roundTrip()).toEqual([`MSG ${subject} 1 2`, 'hi']);
  });

  it('zero-length payload', async () => {
    const client = await connected();
    const subject = uniqueSubject('empty');
    expect(await client.roundTrip(`SUB ${subject} 1\r\nPUB ${subject} 0\r\n\r\n`)).toEqual([`MSG ${subject} 1 0`, '']);
  });

  it('SUB with an invalid subject → Invalid Subject; the connection stays open', async () => {
    const client = await connected();
    for (const subject of ['foo..bar', 'foo.>.bar', '.foo', 'foo.']) {
      expect(await client.roundTrip(`SUB ${subject} 1\r\n`)).toEqual(["-ERR 'Invalid Subject'"]);
    }
    expect(client.closed).toBe(false);
  });

  it('wildcard characters inside a token are literal, not wildcards', async () => {
    const client = await connected();
    const base = uniqueSubject('lit');
    expect(await client.roundTrip(`SUB ${base}.f*o 1\r\nSUB ${base}.x> 2\r\n`)).toEqual([]);
    expect(await client.roundTrip(`PUB ${base}.foo 1\r\na\r\nPUB ${base}.f*o 1\r\nb\r\nPUB ${base}.x> 1\r\nc\r\n`)).toEqual([
      `MSG ${base}.f*o 1 1`,
      'b',
      `MSG ${base}.x> 2 1`,
      'c',
    ]);
  });

  it('SUB with the wrong number of arguments closes silently', async () => {
    await expectSilentClose(await connected(), 'SUB foo\r\n');
    await expectSilentClose(await connected(), 'SUB a b c d\r\n');
  });

  it('UNSUB with no arguments → Unknown Protocol Operation, then close', async () => {
    await expectErrThenClose(await connected(), 'UNSUB\r\n', 'Unknown Protocol Operation');
  });

  it('UNSUB with too many arguments closes silently', async () => {
    await expectSilentClose(await connected(), 'UNSUB 1 2 3\r\n');
  });

  it('UNSUB of an unknown sid is accepted silently', async () => {
    const client = await connected();
    expect(await client.roundTrip('UNSUB 12345\r\n')).toEqual([]);
  });

  it('UNSUB <sid> <max> delivers max more messages; a non-numeric max unsubscribes at once', async () => {
    const client = await connected();
    const subject = uniqueSubject('max');
    const pubs = (n: number): string => Array.from({ length: n }, (_, i) => `PUB ${subject} 1\r\n${i}\r\n`).join('');
    expect(await client.roundTrip(`SUB ${subject} 1\r\nUNSUB 1 2\r\n${pubs(3)}`)).toEqual([
      `MSG ${subject} 1 1`,
      '0',
      `MSG ${subject} 1 1`,
      '1',
    ]);
    expect(await client.roundTrip(`SUB ${subject} 2\r\nUNSUB 2 x\r\n${pubs(1)}`)).toEqual([]);
  });

  it('UNSUB <sid> <max> after max messages were delivered removes the subscription at once', async () => {
    const client = await connected();
    const subject = uniqueSubject('late');
    expect(
      await client.roundTrip(`SUB ${subject} 1\r\nPUB ${subject} 1\r\na\r\nUNSUB 1 1\r\nPUB ${subject} 1\r\nb\r\n`),
    ).toEqual([`MSG ${subject} 1 1`, 'a']);
  });

  it('SUB twice with the same sid keeps one subscription', async () => {
    const client = await connected();
    const subject = uniqueSubject('dup');
    expect(await client.roundTrip(`SUB ${subject} 1\r\nSUB ${subject} 1\r\nPUB ${subject} 1\r\na\r\n`)).toEqual([
      `MSG ${subject} 1 1`,
      'a',
    ]);
  });

  it('pedantic PUB to a wildcard or malformed subject → Invalid Publish Subject; still open, still delivered', async () => {
    const client = await connected({ pedantic: true });
    const base = uniqueSubject('pedantic');
    expect(await client.roundTrip(`SUB ${base}.* 1\r\nPUB ${base}.* 2\r\nhi\r\n`)).toEqual([
      "-ERR 'Invalid Publish Subject'",
      `MSG ${base}.* 1 2`,
      'hi',
    ]);
    // '>' published literally is a plain token, so the `*` subscription matches it.
    expect(await client.roundTrip(`PUB ${base}.> 2\r\nhi\r\n`)).toEqual([
      "-ERR 'Invalid Publish Subject'",
      `MSG ${base}.> 1 2`,
      'hi',
    ]);
    expect(await client.roundTrip(`PUB ${base}..x 2\r\nhi\r\n`)).toEqual(["-ERR 'Invalid Publish Subject'"]);
    expect(client.closed).toBe(false);
  });

  it('pedantic verbose: the error comes before the +OK of the same PUB', async () => {
    const client = await fresh();
    expect(await client.roundTrip('CONNECT {"verbose":true,"pedantic":true}\r\nPUB foo.* 2\r\nhi\r\n')).toEqual([
      '+OK',
      "-ERR 'Invalid Publish Subject'",
      '+OK',
    ]);
  });

  it('without pedantic, PUB to a wildcard subject is not checked', async () => {
    const client = await connected();
    expect(await client.roundTrip('PUB foo.* 2\r\nhi\r\nPUB foo..bar 2\r\nhi\r\n')).toEqual([]);
  });

  it('echo:false does not deliver a connection its own messages; others still get them', async () => {
    const subject = uniqueSubject('echo');
    const other = await connected();
    await other.roundTrip(`SUB ${subject} 1\r\n`);
    const client = await connected({ echo: false });
    expect(await client.roundTrip(`SUB ${subject} 1\r\nPUB ${subject} 2\r\nhi\r\n`)).toEqual([]);
    expect(await other.roundTrip()).toEqual([`MSG ${subject} 1 2`, 'hi']);
    const echoing = await connected();
    expect(await echoing.roundTrip(`SUB ${subject} 1\r\nPUB ${subject} 2\r\nhi\r\n`)).toEqual([`MSG ${subject} 1 2`, 'hi']);
  });

  it('HPUB from a connection that did not enable headers closes silently', async () => {
    const hpub = 'HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n';
    await expectSilentClose(await connected({ headers: false }), hpub);
    await expectSilentClose(await connected(), hpub);
  });

  it('HPUB with a header size larger than the total size closes silently', async () => {
    await expectSilentClose(await connected({ headers: true }), 'HPUB foo 10 5\r\n');
  });

  it('HPUB with a non-numeric header size closes silently', async () => {
    await expectSilentClose(await connected({ headers: true }), 'HPUB foo x 6\r\nabcdhi\r\n');
  });

  it('HPUB with only one size closes silently', async () => {
    await expectSilentClose(await connected({ headers: true }), 'HPUB foo 6\r\nabcdhi\r\n');
  });

  it('HPUB reaches header subscribers as HMSG and others as MSG without the headers', async () => {
    const subject = uniqueSubject('hdr');
    const withHeaders = await connected({ headers: true });
    const withoutHeaders = await connected({ headers: false });
    await withHeaders.roundTrip(`SUB ${subject} 1\r\n`);
    await withoutHeaders.roundTrip(`SUB ${subject} 9\r\n`);
    const publisher = await connected({ headers: true });
    await publisher.roundTrip(`HPUB ${subject} reply.1 18 20\r\nNATS/1.0\r\nA: b\r\n\r\nhi\r\n`);
    expect(await withHeaders.roundTrip()).toEqual([`HMSG ${subject} 1 reply.1 18 20`, 'NATS/1.0', 'A: b', '', 'hi']);
    expect(await withoutHeaders.roundTrip()).toEqual([`MSG ${subject} 9 reply.1 2`, 'hi']);
  });

  it('HPUB with an empty payload and HPUB with a zero header size', async () => {
    const subject = uniqueSubject('hdr0');
    const client = await connected({ headers: true });
    expect(await client.roundTrip(`SUB ${subject} 1\r\nHPUB ${subject} 18 18\r\nNATS/1.0\r\nA: b\r\n\r\n\r\n`)).toEqual([
      `HMSG ${subject} 1 18 18`,
      'NATS/1.0',
      'A: b',
      '',
      '',
    ]);
    expect(await client.roundTrip(`HPUB ${subject} 0 2\r\nhi\r\n`)).toEqual([`MSG ${subject} 1 2`, 'hi']);
  });

  it('no_responders: a request to a subject without subscribers gets a 503 status message', async () => {
    const client = await connected({ headers: true, no_responders: true });
    const inbox = uniqueSubject('inbox');
    expect(await client.roundTrip(`SUB ${inbox} 1\r\nPUB nobody.listens.here ${inbox} 5\r\nhello\r\n`)).toEqual([
      `HMSG ${inbox} 1 16 16`,
      'NATS/1.0 503',
      '',
      '',
    ]);
    expect(await client.roundTrip(`HPUB nobody.listens.here ${inbox} 18 20\r\nNATS/1.0\r\nA: b\r\n\r\nhi\r\n`)).toEqual([
      `HMSG ${inbox} 1 16 16`,
      'NATS/1.0 503',
      '',
      '',
    ]);
    // Without a reply subject there is nobody to tell.
    expect(await client.roundTrip('PUB nobody.listens.here 0\r\n\r\n')).toEqual([]);
  });

  it('without no_responders a request to nobody gets no answer', async () => {
    const client = await connected({ headers: true });
    const inbox = uniqueSubject('inbox');
    expect(await client.roundTrip(`SUB ${inbox} 1\r\nPUB nobody.listens.here ${inbox} 0\r\n\r\n`)).toEqual([]);
  });
});

describeEachTarget('protocol errors with configured limits', (target) => {
  let server: RunningServer;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    server = await startServer(target, 'max_control_line: 64\nmax_payload: 100');
  });

  afterAll(async () => {
    await server?.stop();
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  async function connected(): Promise<RawClient> {
    const client = await RawClient.connected(server.port, quiet);
    clients.push(client);
    return client;
  }

  it('max_control_line: 64 bytes of arguments pass, 65 do not', async () => {
    const client = await connected();
    expect(await client.roundTrip(`SUB ${'a'.repeat(62)} 1\r\n`)).toEqual([]);
    client.send(`SUB ${'a'.repeat(63)} 1\r\n`);
    expect(await client.nextLine()).toBe("-ERR 'maximum control line exceeded'");
    expect(await client.waitClosed()).toBe(true);
  });

  it('PING is not subject to max_control_line', async () => {
    const client = await connected();
    client.send(`PING ${'x'.repeat(100)}\r\n`);
    expect(await client.nextLine()).toBe('PONG');
    expect(await client.roundTrip()).toEqual([]);
  });

  it('max_payload: a payload of exactly max_payload passes, one more byte does not', async () => {
    const client = await connected();
    expect(client.info.max_payload).toBe(100);
    expect(await client.roundTrip(`SUB big 1\r\nPUB big 100\r\n${'x'.repeat(100)}\r\n`)).toEqual(['MSG big 1 100', 'x'.repeat(100)]);
    client.send(`PUB big 101\r\n${'x'.repeat(101)}\r\n`);
    expect(await client.nextLine()).toBe("-ERR 'Maximum Payload Violation'");
    expect(await client.waitClosed()).toBe(true);
  });

  it('max_payload applies before CONNECT too', async () => {
    const client = await RawClient.connect(server.port);
    clients.push(client);
    client.send('PUB foo 101\r\n');
    expect(await client.nextLine()).toBe("-ERR 'Maximum Payload Violation'");
    expect(await client.waitClosed()).toBe(true);
  });

  it('HPUB header bytes count towards max_payload', async () => {
    const client = await RawClient.connected(server.port, { ...quiet, headers: true });
    clients.push(client);
    const headers = `NATS/1.0\r\nX: ${'h'.repeat(79)}\r\n\r\n`;
    expect(headers.length).toBe(96);
    expect(await client.roundTrip(`SUB h 1\r\nHPUB h 96 100\r\n${headers}abcd\r\n`)).toEqual([
      'HMSG h 1 96 100',
      'NATS/1.0',
      `X: ${'h'.repeat(79)}`,
      '',
      'abcd',
    ]);
    client.send(`HPUB h 96 101\r\n${headers}abcde\r\n`);
    expect(await client.nextLine()).toBe("-ERR 'Maximum Payload Violation'");
    expect(await client.waitClosed()).toBe(true);
  });
});
