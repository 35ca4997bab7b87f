// The quota hooks handlers call (KIP-219): record a request's bytes or time against the client's quota, get the
// throttle time to put in the response, and have the connection muted for that long after the response is sent.
// Without security services (tests) or without quotas, nothing is recorded and the throttle time is 0.
import type { RequestContext } from './types';
import { principalOf, securityServices } from './authorize';

/**
 * Produce (bytes of the request's record batches) or Fetch (bytes of the response's records): records them for the
 * principal and client id and returns the throttle time in ms; the connection is muted for it after the response.
 */
export function recordBytesAndThrottle(ctx: RequestContext, type: 'produce' | 'fetch', bytes: number, nowMs = Date.now()): number {
  const quotas = securityServices(ctx)?.quotas;
  if (!quotas) return 0;
  const t = quotas.recordAndGetThrottleTimeMs(type, principalOf(ctx), ctx.clientId, bytes, nowMs);
  quotas.throttle(ctx.connection.id, t);
  return t;
}

/** A throttled Fetch returns no records, so the bytes it recorded are taken back (Kafka's unrecordQuotaSensor). */
export function unrecordFetchBytes(ctx: RequestContext, bytes: number, nowMs = Date.now()): void {
  securityServices(ctx)?.quotas.fetch.unrecord(principalOf(ctx).name, ctx.clientId ?? '', bytes, nowMs);
}

/**
 * Request-percentage quota: the time the request held a handler, as Kafka's percent-seconds (ms × 100 / 1000).
 * Returns the throttle time (capped at one quota window) and mutes the connection for it.
 */
export function recordRequestTimeAndThrottle(ctx: RequestContext, handlerTimeMs: number, nowMs = Date.now()): number {
  const quotas = securityServices(ctx)?.quotas;
  if (!quotas) return 0;
  const t = quotas.recordAndGetThrottleTimeMs('request', principalOf(ctx), ctx.clientId, handlerTimeMs / 10, nowMs);
  quotas.throttle(ctx.connection.id, t);
  return t;
}
