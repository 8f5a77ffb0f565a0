import { runNode } from '@nats-ts/lifecycle';
import { clientGatewayRole } from '@nats-ts/client-gateway';

// The client role on its own. Until the bus has its TCP transport it serves as a standalone node.
const code = await runNode({ argv: process.argv.slice(2), roles: [clientGatewayRole] });
process.exit(code);
