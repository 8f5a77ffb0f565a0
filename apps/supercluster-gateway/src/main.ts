import { runNode } from '@nats-ts/lifecycle';
import { superclusterGatewayRole } from '@nats-ts/supercluster-gateway';

// The super-cluster role on its own; it reaches a node's other roles through the bus.
const code = await runNode({ argv: process.argv.slice(2), roles: [superclusterGatewayRole] });
process.exit(code);
