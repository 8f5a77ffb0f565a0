import { runNode } from '@nats-ts/lifecycle';
import { clientGatewayRole } from '@nats-ts/client-gateway';
import { routeMeshRole } from '@nats-ts/route-mesh';

// The all-in-one server: every role of the node in one process, meeting on the in-process bus.
// The route role opens its listener only when a cluster port is configured.
const code = await runNode({ argv: process.argv.slice(2), roles: [clientGatewayRole, routeMeshRole] });
process.exit(code);
