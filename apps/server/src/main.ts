import { runNode } from '@nats-ts/lifecycle';
import { clientGatewayRole } from '@nats-ts/client-gateway';
import { leafProxyRole } from '@nats-ts/leaf-proxy';
import { routeMeshRole } from '@nats-ts/route-mesh';
import { streamStoreRole } from '@nats-ts/stream-store';
import { superclusterGatewayRole } from '@nats-ts/supercluster-gateway';

// The all-in-one server: every role of the node in one process, meeting on the in-process bus.
// The route and gateway roles open their listeners only when a cluster or gateway port is configured.
// The gateway starts before the routes so that the first route INFO carries its URL (nats-server
// peers take `gateway_url` from that INFO only). The stream-store comes last: its /varz block
// replaces the client role's empty `jetstream`.
const code = await runNode({ argv: process.argv.slice(2), roles: [clientGatewayRole, superclusterGatewayRole, routeMeshRole, leafProxyRole, streamStoreRole] });
process.exit(code);
