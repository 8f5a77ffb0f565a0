/**
 * Why a connection closed, in nats-server 2.9's words (its `ClosedState` strings): what
 * `/connz?state=closed` and the disconnect events report as `reason`, and what the logs say.
 * One table for client, route, gateway and leaf connections; only the states nats-ts reaches.
 */
export const ClosedState = {
  ClientClosed: 'Client Closed',
  AuthenticationTimeout: 'Authentication Timeout',
  AuthenticationViolation: 'Authentication Failure',
  AuthenticationExpired: 'Authentication Expired',
  Revocation: 'Credentials Revoked',
  TLSHandshakeError: 'TLS Handshake Failure',
  SlowConsumerPendingBytes: 'Slow Consumer (Pending Bytes)',
  SlowConsumerWriteDeadline: 'Slow Consumer (Write Deadline)',
  ParseError: 'Parse Error',
  StaleConnection: 'Stale Connection',
  ProtocolViolation: 'Protocol Violation',
  BadClientProtocolVersion: 'Bad Client Protocol Version',
  WrongPort: 'Incorrect Port',
  WrongGateway: 'Wrong Gateway',
  MaxAccountConnectionsExceeded: 'Maximum Account Connections Exceeded',
  MaxPayloadExceeded: 'Maximum Message Payload Exceeded',
  MaxControlLineExceeded: 'Maximum Control Line Exceeded',
  NoRespondersRequiresHeaders: 'No Responders Requires Headers',
  /** Also a second link to a peer already linked (nats-server has no gateway-specific state). */
  DuplicateRoute: 'Duplicate Route',
  DuplicateServerName: 'Duplicate Server Name',
  DuplicateRemoteLeafnodeConnection: 'Duplicate Remote LeafNode Connection',
  ClusterNameConflict: 'Cluster Name Conflict',
  /** Shutdown and lame duck mode alike, as nats-server. */
  ServerShutdown: 'Server Shutdown',
} as const;
export type ClosedState = (typeof ClosedState)[keyof typeof ClosedState];
