/**
 * The -ERR texts the client role sends, worded exactly as nats-server 2.9 sends them
 * (clients and tools match on these strings). Parser errors live in @nats-ts/protocol.
 */
export const WireError = {
  authorizationViolation: 'Authorization Violation',
  authenticationTimeout: 'Authentication Timeout',
  userAuthenticationExpired: 'User Authentication Expired',
  userAuthenticationRevoked: 'User Authentication Revoked',
  accountAuthenticationExpired: 'Account Authentication Expired',
  maxConnections: 'maximum connections exceeded',
  maxAccountConnections: 'maximum account active connections exceeded',
  maxSubscriptions: 'maximum subscriptions exceeded',
  invalidSubject: 'Invalid Subject',
  invalidPublishSubject: 'Invalid Publish Subject',
  badClientProtocol: 'invalid client protocol',
  noRespondersRequiresHeaders: 'no responders requires headers support',
  staleConnection: 'Stale Connection',
  slowConsumer: 'Slow Consumer',
  maxPayload: 'Maximum Payload Violation',
  unknownProtocol: 'Unknown Protocol Operation',
} as const;

export function publishViolation(subject: string): string {
  return `Permissions Violation for Publish to ${goQuote(subject)}`;
}

export function subscribeViolation(subject: string, queue: string | undefined): string {
  return queue === undefined
    ? `Permissions Violation for Subscription to ${goQuote(subject)}`
    : `Permissions Violation for Subscription to ${goQuote(subject)} using queue ${goQuote(queue)}`;
}

/** Go's %q for the printable subjects we quote (escapes quotes and backslashes). */
function goQuote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => '\\' + c)}"`;
}
