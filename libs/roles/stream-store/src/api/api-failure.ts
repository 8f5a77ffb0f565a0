import type { JsApiError } from './js-errors.js';

/** A request refused with nats-server's error (an API handler's outcome instead of its fields). */
export class ApiFailure {
  constructor(readonly error: JsApiError) {}
}

export const fail = (error: JsApiError): ApiFailure => new ApiFailure(error);

/** A handler's answer: the response's fields after `type`, or a refusal. */
export type Outcome = Record<string, unknown> | ApiFailure;
