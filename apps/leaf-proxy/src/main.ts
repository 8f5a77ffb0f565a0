import { runNode } from '@nats-ts/lifecycle';
import { leafProxyRole } from '@nats-ts/leaf-proxy';

// The leaf node role on its own; it reaches a node's other roles through the bus.
const code = await runNode({ argv: process.argv.slice(2), roles: [leafProxyRole] });
process.exit(code);
