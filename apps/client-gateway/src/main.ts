import { runNode } from '@nats-ts/lifecycle';
import { clientGatewayRole } from '@nats-ts/client-gateway';

// The client role as its own process. With a `bus {}` block in the configuration it joins the
// other processes of the node (more client-gateway replicas, route-mesh, ...) over the TCP bus.
const code = await runNode({ argv: process.argv.slice(2), roles: [clientGatewayRole] });
process.exit(code);
