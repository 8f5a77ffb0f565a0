/**
 * The JetStream API errors nats-server 2.9.10 answers with (its server/errors.json), keyed by
 * nats-server's identifier without the `JS` prefix and the `Err`/`ErrF`/`F` suffix. Only what
 * a server produces for accounts, streams, snapshots, messages, mirrors/sources and consumers
 * is here, plus the clustering answers a single server gives (replicas > 1, cluster required).
 *
 * A description may hold `{placeholders}` that {@link jsError} fills; the `{err}` ones carry a
 * text of the caller's (e.g. StreamStoreFailed with "maximum messages exceeded").
 */

/** The `error` object of an API response, fields in nats-server's order. */
export interface JsApiError {
  code: number;
  err_code: number;
  description: string;
}

export interface JsErrorTemplate {
  readonly code: number;
  readonly err_code: number;
  readonly description: string;
}

const table = {
  // Accounts and the API in general
  AccountResourcesExceeded: { code: 400, err_code: 10002, description: 'resource limits exceeded for account' },
  BadRequest: { code: 400, err_code: 10003, description: 'bad request' },
  ClusterRequired: { code: 503, err_code: 10010, description: 'JetStream clustering support required' },
  InsufficientResources: { code: 503, err_code: 10023, description: 'insufficient resources' },
  InvalidJSON: { code: 400, err_code: 10025, description: 'invalid JSON' },
  MaximumConsumersLimit: { code: 400, err_code: 10026, description: 'maximum consumers limit reached' },
  MaximumStreamsLimit: { code: 400, err_code: 10027, description: 'maximum number of streams reached' },
  MemoryResourcesExceeded: { code: 500, err_code: 10028, description: 'insufficient memory resources available' },
  NoAccount: { code: 503, err_code: 10035, description: 'account not found' },
  NotEmptyRequest: { code: 400, err_code: 10038, description: 'expected an empty request payload' },
  NotEnabledForAccount: { code: 503, err_code: 10039, description: 'JetStream not enabled for account' },
  StorageResourcesExceeded: { code: 500, err_code: 10047, description: 'insufficient storage resources available' },
  NotEnabled: { code: 503, err_code: 10076, description: 'JetStream not enabled' },
  NoLimits: { code: 400, err_code: 10120, description: 'no JetStream default or applicable tiered limit present' },
  // Streams
  StreamCreate: { code: 500, err_code: 10049, description: '{err}' },
  StreamDelete: { code: 500, err_code: 10050, description: '{err}' },
  StreamGeneralError: { code: 500, err_code: 10051, description: '{err}' },
  StreamInvalidConfig: { code: 500, err_code: 10052, description: '{err}' },
  StreamLimits: { code: 500, err_code: 10053, description: '{err}' },
  StreamMirrorNotUpdatable: { code: 400, err_code: 10055, description: 'stream mirror configuration can not be updated' },
  StreamMismatch: { code: 400, err_code: 10056, description: 'stream name in subject does not match request' },
  StreamNameExist: { code: 400, err_code: 10058, description: 'stream name already in use with a different configuration' },
  StreamNotFound: { code: 404, err_code: 10059, description: 'stream not found' },
  StreamSubjectOverlap: { code: 400, err_code: 10065, description: 'subjects overlap with an existing stream' },
  StreamUpdate: { code: 500, err_code: 10069, description: '{err}' },
  StreamReplicasNotSupported: { code: 500, err_code: 10074, description: 'replicas > 1 not supported in non-clustered mode' },
  StreamInvalid: { code: 500, err_code: 10096, description: 'stream not valid' },
  StreamSealed: { code: 400, err_code: 10109, description: 'invalid operation on sealed stream' },
  StreamPurgeFailed: { code: 500, err_code: 10110, description: '{err}' },
  StreamMaxBytesRequired: { code: 400, err_code: 10113, description: 'account requires a stream config to have max bytes set' },
  StreamMaxStreamBytesExceeded: { code: 400, err_code: 10122, description: 'stream max bytes exceeds account limit max stream bytes' },
  StreamNameContainsPathSeparators: { code: 400, err_code: 10128, description: 'Stream name can not contain path separators' },
  ReplicasCountCannotBeNegative: { code: 400, err_code: 10133, description: 'replicas count cannot be negative' },
  // Snapshots and restores
  SnapshotDeliverSubjectInvalid: { code: 400, err_code: 10015, description: 'deliver subject not valid' },
  StreamNameExistRestoreFailed: { code: 400, err_code: 10130, description: 'stream name already in use, cannot restore' },
  StreamRestore: { code: 500, err_code: 10062, description: 'restore failed: {err}' },
  StreamSnapshot: { code: 500, err_code: 10064, description: 'snapshot failed: {err}' },
  TempStorageFailed: { code: 500, err_code: 10072, description: 'JetStream unable to open temp storage for restore' },
  // Messages: publishing, getting, deleting
  NoMessageFound: { code: 404, err_code: 10037, description: 'no message found' },
  SequenceNotFound: { code: 400, err_code: 10043, description: 'sequence {seq} not found' },
  StreamMessageExceedsMaximum: { code: 400, err_code: 10054, description: 'message size exceeds maximum allowed' },
  StreamMsgDeleteFailed: { code: 500, err_code: 10057, description: '{err}' },
  StreamNotMatch: { code: 400, err_code: 10060, description: 'expected stream does not match' },
  StreamSequenceNotMatch: { code: 503, err_code: 10063, description: 'expected stream sequence does not match' },
  StreamWrongLastMsgID: { code: 400, err_code: 10070, description: 'wrong last msg ID: {id}' },
  StreamWrongLastSequence: { code: 400, err_code: 10071, description: 'wrong last sequence: {seq}' },
  StreamStoreFailed: { code: 503, err_code: 10077, description: '{err}' },
  StreamHeaderExceedsMaximum: { code: 400, err_code: 10097, description: 'header size exceeds maximum allowed of 64k' },
  StreamRollupFailed: { code: 500, err_code: 10111, description: '{err}' },
  // Mirrors and sources
  StreamExternalApiOverlap: { code: 400, err_code: 10021, description: 'stream external api prefix {prefix} must not overlap with {subject}' },
  StreamExternalDelPrefixOverlaps: { code: 400, err_code: 10022, description: 'stream external delivery prefix {prefix} overlaps with stream subject {subject}' },
  StreamInvalidExternalDeliverySubj: { code: 400, err_code: 10024, description: 'stream external delivery prefix {prefix} must not contain wildcards' },
  MirrorConsumerSetupFailed: { code: 500, err_code: 10029, description: '{err}' },
  MirrorMaxMessageSizeTooBig: { code: 400, err_code: 10030, description: 'stream mirror must have max message size >= source' },
  MirrorWithSources: { code: 400, err_code: 10031, description: 'stream mirrors can not also contain other sources' },
  MirrorWithSubjects: { code: 400, err_code: 10034, description: 'stream mirrors can not contain subjects' },
  SourceConsumerSetupFailed: { code: 500, err_code: 10045, description: '{err}' },
  SourceMaxMessageSizeTooBig: { code: 400, err_code: 10046, description: 'stream source must have max message size >= target' },
  // Consumers
  ConsumerCreate: { code: 500, err_code: 10012, description: '{err}' },
  ConsumerNameExist: { code: 400, err_code: 10013, description: 'consumer name already in use' },
  ConsumerNotFound: { code: 404, err_code: 10014, description: 'consumer not found' },
  ConsumerDurableNameNotInSubject: { code: 400, err_code: 10016, description: 'consumer expected to be durable but no durable name set in subject' },
  ConsumerDurableNameNotMatchSubject: { code: 400, err_code: 10017, description: 'consumer name in subject does not match durable name in request' },
  ConsumerDurableNameNotSet: { code: 400, err_code: 10018, description: 'consumer expected to be durable but a durable name was not set' },
  ConsumerEphemeralWithDurableName: { code: 400, err_code: 10020, description: 'consumer expected to be ephemeral but a durable name was set in request' },
  ConsumerConfigRequired: { code: 400, err_code: 10078, description: 'consumer config required' },
  ConsumerDeliverToWildcards: { code: 400, err_code: 10079, description: 'consumer deliver subject has wildcards' },
  ConsumerPushMaxWaiting: { code: 400, err_code: 10080, description: 'consumer in push mode can not set max waiting' },
  ConsumerDeliverCycle: { code: 400, err_code: 10081, description: 'consumer deliver subject forms a cycle' },
  ConsumerMaxPendingAckPolicyRequired: { code: 400, err_code: 10082, description: 'consumer requires ack policy for max ack pending' },
  ConsumerSmallHeartbeat: { code: 400, err_code: 10083, description: 'consumer idle heartbeat needs to be >= 100ms' },
  ConsumerPullRequiresAck: { code: 400, err_code: 10084, description: 'consumer in pull mode requires ack policy' },
  ConsumerPullNotDurable: { code: 400, err_code: 10085, description: 'consumer in pull mode requires a durable name' },
  ConsumerPullWithRateLimit: { code: 400, err_code: 10086, description: 'consumer in pull mode can not have rate limit set' },
  ConsumerMaxWaitingNegative: { code: 400, err_code: 10087, description: 'consumer max waiting needs to be positive' },
  ConsumerHBRequiresPush: { code: 400, err_code: 10088, description: 'consumer idle heartbeat requires a push based consumer' },
  ConsumerFCRequiresPush: { code: 400, err_code: 10089, description: 'consumer flow control requires a push based consumer' },
  ConsumerDirectRequiresPush: { code: 400, err_code: 10090, description: 'consumer direct requires a push based consumer' },
  ConsumerDirectRequiresEphemeral: { code: 400, err_code: 10091, description: 'consumer direct requires an ephemeral consumer' },
  ConsumerFilterNotSubset: { code: 400, err_code: 10093, description: 'consumer filter subject is not a valid subset of the interest subjects' },
  ConsumerInvalidPolicy: { code: 400, err_code: 10094, description: '{err}' },
  ConsumerInvalidSampling: { code: 400, err_code: 10095, description: 'failed to parse consumer sampling configuration: {err}' },
  ConsumerWQRequiresExplicitAck: { code: 400, err_code: 10098, description: 'workqueue stream requires explicit ack' },
  ConsumerWQMultipleUnfiltered: { code: 400, err_code: 10099, description: 'multiple non-filtered consumers not allowed on workqueue stream' },
  ConsumerWQConsumerNotUnique: { code: 400, err_code: 10100, description: 'filtered consumer not unique on workqueue stream' },
  ConsumerWQConsumerNotDeliverAll: { code: 400, err_code: 10101, description: 'consumer must be deliver all on workqueue stream' },
  ConsumerNameTooLong: { code: 400, err_code: 10102, description: 'consumer name is too long, maximum allowed is {max}' },
  ConsumerBadDurableName: { code: 400, err_code: 10103, description: "durable name can not contain '.', '*', '>'" },
  ConsumerStoreFailed: { code: 500, err_code: 10104, description: 'error creating store for consumer: {err}' },
  ConsumerExistingActive: { code: 400, err_code: 10105, description: 'consumer already exists and is still active' },
  ConsumerReplacementWithDifferentName: { code: 400, err_code: 10106, description: 'consumer replacement durable config not the same' },
  ConsumerDescriptionTooLong: { code: 400, err_code: 10107, description: 'consumer description is too long, maximum allowed is {max}' },
  ConsumerWithFlowControlNeedsHeartbeats: { code: 400, err_code: 10108, description: 'consumer with flow control also needs heartbeats' },
  ConsumerInvalidDeliverSubject: { code: 400, err_code: 10112, description: 'invalid push consumer deliver subject' },
  ConsumerMaxRequestBatchNegative: { code: 400, err_code: 10114, description: 'consumer max request batch needs to be > 0' },
  ConsumerMaxRequestExpiresToSmall: { code: 400, err_code: 10115, description: 'consumer max request expires needs to be >= 1ms' },
  ConsumerMaxDeliverBackoff: { code: 400, err_code: 10116, description: 'max deliver is required to be > length of backoff values' },
  ConsumerMaxPendingAckExcess: { code: 400, err_code: 10121, description: 'consumer max ack pending exceeds system limit of {limit}' },
  ConsumerMaxRequestBatchExceeded: { code: 400, err_code: 10125, description: 'consumer max request batch exceeds server limit of {limit}' },
  ConsumerReplicasExceedsStream: { code: 400, err_code: 10126, description: 'consumer config replica count exceeds parent stream' },
  ConsumerNameContainsPathSeparators: { code: 400, err_code: 10127, description: 'Consumer name can not contain path separators' },
  ConsumerCreateFilterSubjectMismatch: { code: 400, err_code: 10131, description: 'Consumer create request did not match filtered subject from create subject' },
  ConsumerCreateDurableAndNameMismatch: { code: 400, err_code: 10132, description: 'Consumer Durable and Name have to be equal if both are provided' },
} as const satisfies Record<string, JsErrorTemplate>;

export type JsErrorName = keyof typeof table;

export const JsErrors: { readonly [Name in JsErrorName]: JsErrorTemplate } = table;

const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * A fresh error object for `name`, its `{placeholders}` replaced by `args` (numbers in decimal).
 * A placeholder without an argument stays as it is, as with nats-server's string replacer.
 */
export function jsError(name: JsErrorName, args?: Record<string, string | number>): JsApiError {
  const { code, err_code, description } = table[name];
  const filled =
    args === undefined
      ? description
      : description.replace(PLACEHOLDER, (placeholder, key: string) => {
          const value = Object.hasOwn(args, key) ? args[key] : undefined;
          return value === undefined ? placeholder : String(value);
        });
  return { code, err_code, description: filled };
}
