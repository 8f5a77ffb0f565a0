import { WireError } from './wire-errors.js';

/**
 * Why the client-protocol parser stopped. Each kind mirrors one way nats-server 2.9 ends a
 * client connection while parsing; `protocolErrorText` gives what it sends before closing.
 */
export const ProtocolErrorKind = {
  /** A byte that cannot start or continue any operation, or a payload not followed by CRLF. */
  UnknownOperation: 'unknown-operation',
  /** A control line's arguments are longer than max_control_line. */
  MaxControlLineExceeded: 'max-control-line-exceeded',
  /** PUB/HPUB declared a size larger than max_payload. */
  MaxPayloadViolation: 'max-payload-violation',
  /** An operation other than CONNECT arrived while the parser was told to require CONNECT first. */
  AuthorizationViolation: 'authorization-violation',
  /** Wrong argument count or an unparsable size in PUB, HPUB, SUB or UNSUB. */
  MalformedArguments: 'malformed-arguments',
  /** INFO from a client whose argument is not a JSON object (or null). */
  InvalidInfo: 'invalid-info',
  /** The client sent `-ERR`; nats-server logs it and closes. */
  ClientReportedError: 'client-reported-error',
} as const;
export type ProtocolErrorKind = (typeof ProtocolErrorKind)[keyof typeof ProtocolErrorKind];

/**
 * The text nats-server puts inside `-ERR '<text>'` before closing for this kind, or undefined
 * when it closes the connection without sending anything (it only logs). Wrap with `encodeErr`.
 */
export function protocolErrorText(kind: ProtocolErrorKind): string | undefined {
  switch (kind) {
    case ProtocolErrorKind.UnknownOperation:
      return WireError.unknownProtocol;
    case ProtocolErrorKind.MaxControlLineExceeded:
      return WireError.maxControlLine;
    case ProtocolErrorKind.MaxPayloadViolation:
      return WireError.maxPayload;
    case ProtocolErrorKind.AuthorizationViolation:
      return WireError.authorizationViolation;
    case ProtocolErrorKind.MalformedArguments:
    case ProtocolErrorKind.InvalidInfo:
    case ProtocolErrorKind.ClientReportedError:
      return undefined;
  }
}
