import type { GatewayConfig } from '@nats-ts/config';

/** nats-server's default authentication timeout (also for gateways without `authorization { timeout }`). */
const DEFAULT_GATEWAY_AUTH_TIMEOUT_MS = 2000;

/** As nats-server: `authorization { timeout }`, else the TLS handshake's timeout plus a second, else 2 s. */
export function gatewayAuthTimeoutMs(config: GatewayConfig): number {
  return config.authTimeoutMs ?? (config.tls !== undefined ? config.tls.timeoutMs + 1000 : DEFAULT_GATEWAY_AUTH_TIMEOUT_MS);
}
