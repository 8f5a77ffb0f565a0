/** Return this from an endpoint handler to answer with a status other than 200 (e.g. /healthz's 503). */
export class JsonResponse {
  constructor(
    readonly body: unknown,
    readonly statusCode: number,
  ) {}
}

/** Throw this from an endpoint handler to answer with `statusCode` and the message as plain text, as nats-server does for bad query parameters. */
export class MonitoringRequestError extends Error {
  constructor(
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = 'MonitoringRequestError';
  }
}
