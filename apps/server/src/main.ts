import { runNode } from '@nats-ts/lifecycle';
import { clientGatewayRole } from '@nats-ts/client-gateway';

// The all-in-one server: every role of the node in one process, meeting on the in-process bus.
const code = await runNode({ argv: process.argv.slice(2), roles: [clientGatewayRole] });
process.exit(code);
