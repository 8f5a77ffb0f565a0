import { runNode } from '@nats-ts/lifecycle';
import { routeMeshRole } from '@nats-ts/route-mesh';

// The cluster role on its own; it reaches a node's other roles through the bus.
const code = await runNode({ argv: process.argv.slice(2), roles: [routeMeshRole] });
process.exit(code);
