import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';
import type { Span, SpanKind, Tracer } from '@opentelemetry/api';
import type * as OtelExporter from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtelResources from '@opentelemetry/resources';
import type * as OtelSdk from '@opentelemetry/sdk-trace-base';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type * as OtelSemconv from '@opentelemetry/semantic-conventions';
import type { Logger } from './logger.js';
import { formatTraceparent, parseTraceparent } from './traceparent.js';

export type TraceSpanKind = 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type TraceAttributes = Record<string, string | number | boolean>;

/** A started span; its `traceparent` is what the next hop carries to continue the trace under it. */
export interface TraceSpan {
  readonly traceparent: string;
  setAttribute(name: string, value: string | number | boolean): void;
  end(): void;
}

export interface TracingOptions {
  /** Full OTLP/HTTP traces URL (…/v1/traces). */
  tracesUrl: string;
  /** Share of messages without trace context that start a trace (0 to 1). */
  ratio: number;
  serviceName: string;
  serviceVersion?: string;
  /** Resource `service.instance.id`, e.g. the server id. */
  serviceInstanceId?: string;
  logger: Logger;
}

export interface TracingDefaults {
  serviceName: string;
  serviceVersion?: string;
  serviceInstanceId?: string;
}

interface Otel {
  api: typeof OtelApi;
  sdk: typeof OtelSdk;
  exporter: typeof OtelExporter;
  resources: typeof OtelResources;
  semconv: typeof OtelSemconv;
}

// The SDK is loaded only when tracing is on, so a process that does not trace never loads it;
// through require, as the packages' CommonJS builds (their ESM builds need a bundler).
function loadOtel(): Otel {
  const load = createRequire(import.meta.url);
  return {
    api: load('@opentelemetry/api') as typeof OtelApi,
    sdk: load('@opentelemetry/sdk-trace-base') as typeof OtelSdk,
    exporter: load('@opentelemetry/exporter-trace-otlp-http') as typeof OtelExporter,
    resources: load('@opentelemetry/resources') as typeof OtelResources,
    semconv: load('@opentelemetry/semantic-conventions') as typeof OtelSemconv,
  };
}

// SpanKind values of the OpenTelemetry API.
const KINDS: Record<TraceSpanKind, SpanKind> = { internal: 0, server: 1, client: 2, producer: 3, consumer: 4 };
const SAMPLED_FLAG = 1;

const RATIO_SAMPLERS = new Set(['traceidratio', 'parentbased_traceidratio']);

class OtelTraceSpan implements TraceSpan {
  constructor(private readonly span: Span) {}

  get traceparent(): string {
    const c = this.span.spanContext();
    return formatTraceparent(c.traceId, c.spanId, c.traceFlags);
  }

  setAttribute(name: string, value: string | number | boolean): void {
    this.span.setAttribute(name, value);
  }

  end(): void {
    this.span.end();
  }
}

/**
 * Message tracing with OpenTelemetry, exported over OTLP/HTTP. Off unless an OTLP endpoint is
 * configured: then `enabled` is false and the hot path does nothing but test it. When on, a
 * message is traced when it arrives with a sampled W3C `traceparent`, or, without one, when the
 * ratio picks it (default 0: only messages that bring trace context are traced).
 */
export class Tracing {
  /** Tracing switched off: `enabled` is false and nothing is ever exported. */
  static readonly off = new Tracing(undefined);

  /**
   * From the standard OpenTelemetry variables: on when OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (full
   * URL) or OTEL_EXPORTER_OTLP_ENDPOINT (base URL, /v1/traces appended) is set, unless
   * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none. The ratio is OTEL_TRACES_SAMPLER_ARG
   * when OTEL_TRACES_SAMPLER is traceidratio or parentbased_traceidratio; OTEL_SERVICE_NAME
   * overrides the service name.
   */
  static fromEnv(env: NodeJS.ProcessEnv, defaults: TracingDefaults, logger: Logger): Tracing {
    if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true' || env.OTEL_TRACES_EXPORTER?.trim() === 'none') return Tracing.off;
    const tracesUrl = tracesUrlFromEnv(env);
    if (tracesUrl === undefined) return Tracing.off;
    let ratio = 0;
    if (RATIO_SAMPLERS.has(env.OTEL_TRACES_SAMPLER?.trim() ?? '')) {
      const parsed = Number(env.OTEL_TRACES_SAMPLER_ARG ?? '1');
      ratio = Number.isFinite(parsed) ? Math.min(1, Math.max(0, parsed)) : 0;
    }
    return new Tracing({ ...defaults, serviceName: env.OTEL_SERVICE_NAME?.trim() || defaults.serviceName, tracesUrl, ratio, logger });
  }

  /** One boolean test on the hot path: false means no tracing work at all. */
  readonly enabled: boolean;
  readonly ratio: number;
  private readonly provider: BasicTracerProvider | undefined;
  private readonly tracer: Tracer | undefined;
  private readonly otel: Otel | undefined;

  constructor(options: TracingOptions | undefined) {
    this.enabled = options !== undefined;
    this.ratio = options?.ratio ?? 0;
    if (options === undefined) return;
    const otel = loadOtel();
    this.otel = otel;
    const { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } = otel.semconv;
    const attributes: TraceAttributes = { [ATTR_SERVICE_NAME]: options.serviceName };
    if (options.serviceVersion !== undefined) attributes[ATTR_SERVICE_VERSION] = options.serviceVersion;
    if (options.serviceInstanceId !== undefined) attributes['service.instance.id'] = options.serviceInstanceId;
    this.provider = new otel.sdk.BasicTracerProvider({
      resource: otel.resources.resourceFromAttributes(attributes),
      // Roots are picked by startsNewTrace's ratio; a remote parent's sampled flag decides the rest.
      sampler: new otel.sdk.ParentBasedSampler({ root: new otel.sdk.AlwaysOnSampler() }),
      spanProcessors: [new otel.sdk.BatchSpanProcessor(new otel.exporter.OTLPTraceExporter({ url: options.tracesUrl }))],
    });
    this.tracer = this.provider.getTracer('nats-ts', options.serviceVersion);
    options.logger.info(`Tracing messages to ${options.tracesUrl} (sampling ratio ${this.ratio}, and every message with a sampled traceparent)`);
  }

  /** Whether a message that brings no trace context starts a trace: the ratio's draw. */
  startsNewTrace(): boolean {
    return this.ratio > 0 && Math.random() < this.ratio;
  }

  /**
   * Starts a span under `parent` (a W3C traceparent from the previous hop), or the root of a new
   * trace when `parent` is undefined. Undefined when tracing is off, the parent is malformed or
   * not sampled: the message is then not traced further.
   */
  startSpan(name: string, kind: TraceSpanKind, parent: string | undefined, attributes: TraceAttributes): TraceSpan | undefined {
    if (this.tracer === undefined || this.otel === undefined) return undefined;
    const { ROOT_CONTEXT, trace } = this.otel.api;
    let context = ROOT_CONTEXT;
    if (parent !== undefined) {
      const parsed = parseTraceparent(parent);
      if (parsed === undefined || (parsed.traceFlags & SAMPLED_FLAG) === 0) return undefined;
      context = trace.setSpanContext(ROOT_CONTEXT, { ...parsed, isRemote: true });
    }
    const span = this.tracer.startSpan(name, { kind: KINDS[kind], attributes }, context);
    if (!span.isRecording()) return undefined;
    return new OtelTraceSpan(span);
  }

  /** Exports the spans still buffered and stops. */
  async shutdown(): Promise<void> {
    await this.provider?.shutdown();
  }
}

function tracesUrlFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!base) return undefined;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}
