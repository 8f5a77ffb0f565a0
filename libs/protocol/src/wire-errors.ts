/**
 * Every text nats-ts puts inside `-ERR '<text>'`, worded exactly as nats-server 2.9 sends it
 * (clients, tools and peer servers match on these strings). The one table for all roles:
 * constant texts as strings, texts with a subject or name in them as functions.
 */
export const WireError = {
  unknownProtocol: 'Unknown Protocol Operation',
  // nats-server sends its error value's text here, hence the lower case.
  maxControlLine: 'maximum control line exceeded',
  maxPayload: 'Maximum Payload Violation',
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
  clientOnRoutePort: 'attempted to connect to route port',
  clientOnGatewayPort: 'Attempted To Connect To Gateway Port',
  clientOnLeafPort: 'Attempted To Connect To Leaf Node Port',
  leafSameClusterName: 'remote leafnode has same cluster name',
  duplicateRemoteLeaf: 'Duplicate Remote LeafNode Connection',
  publishViolation: (subject: string): string => `Permissions Violation for Publish to ${goQuote(subject)}`,
  subscribeViolation: (subject: string, queue?: string): string =>
    queue === undefined
      ? `Permissions Violation for Subscription to ${goQuote(subject)}`
      : `Permissions Violation for Subscription to ${goQuote(subject)} using queue ${goQuote(queue)}`,
  /** A subscription a permissions reload no longer allows. */
  subscriptionRevoked: (subject: string, sid: string): string => `Permissions Violation for Subscription to ${goQuote(subject)} (sid ${goQuote(sid)})`,
  gatewayOnRoutePort: (gateway: string): string => `Rejecting connection from gateway ${goQuote(gateway)} on the Route port`,
  clusterNameMismatch: (theirs: string, ours: string): string => `Rejecting connection, cluster name ${goQuote(theirs)} does not match ${goQuote(ours)}`,
  gatewayWrongPort: (gateway: string): string => `Attempt to connect to gateway ${goQuote(gateway)} using wrong port`,
  gatewayRejected: (ours: string, wanted: string, theirs: string): string =>
    `Connection from ${goQuote(ours)} rejected, wanted to connect to ${goQuote(wanted)}, this is ${goQuote(theirs)}`,
  gatewayAccountAbsent: (start: boolean): string => `Account absent from receive-all-subscriptions-${start ? 'start' : 'complete'} command`,
  leafLoopDetected: (account: string, delaySeconds: number): string =>
    `Loop detected for leafnode account=${goQuote(account)}. Delaying attempt to reconnect for ${delaySeconds}s`,
} as const;

/** Go's %q for the printable names we quote (escapes quotes and backslashes). */
function goQuote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => '\\' + c)}"`;
}
