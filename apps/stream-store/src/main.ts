import { runNode } from '@nats-ts/lifecycle';
import { streamStoreRole } from '@nats-ts/stream-store';

// JetStream on its own; clients reach it through the node's client-gateway over the bus.
const code = await runNode({ argv: process.argv.slice(2), roles: [streamStoreRole] });
process.exit(code);
