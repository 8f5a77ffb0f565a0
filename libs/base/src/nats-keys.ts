import { createRequire } from 'node:module';
import type * as NatsJwt from '@nats-io/jwt';
import type * as NatsKeys from '@nats-io/nkeys';

// Loaded on first use: a server without nkey or JWT users never pays for them (several MiB).
const require = createRequire(import.meta.url);
let keys: typeof NatsKeys | undefined;
let jwt: typeof NatsJwt | undefined;

export function natsKeys(): typeof NatsKeys {
  return (keys ??= require('@nats-io/nkeys') as typeof NatsKeys);
}

export function natsJwt(): typeof NatsJwt {
  return (jwt ??= require('@nats-io/jwt') as typeof NatsJwt);
}
