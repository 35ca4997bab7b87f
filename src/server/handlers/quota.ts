// The quota hooks handlers call (KIP-219): record a request's bytes or time against the client's quota, get the
// throttle time to put in the response, and have the connection muted for that long after the response is sent.
// Without security services (tests) or without quotas, nothing is recorded and the throttle time is 0.
import { defineHandler, type Handler, type HandlerResult, type RegisteredHandler, type RequestContext } from './types';
import type { ApiDef } from '../../protocol/schema';
import { principalOf, securityServices } from './authorize';

/**
 * Produce (bytes of the request's record batches) or Fetch (bytes of the response's records): records them for the
 * principal and client id and returns the throttle time in ms; the connection is muted for it after the response.
 */
export function recordBytesAndThrottle(ctx: RequestContext, type: 'produce' | 'fetch', bytes: number, nowMs = Date.now()): number {
  const quotas = securityServices(ctx)?.quotas;
  if (!quotas) return 0;
  const t = quotas.recordAndGetThrottleTimeMs(type, principalOf(ctx), ctx.clientId, bytes, nowMs);
  if (t > 0) ctx.logger.debug({ quota: type, clientId: ctx.clientId, principal: principalOf(ctx).name, throttleTimeMs: t }, 'client over its byte-rate quota; muting its connection');
  quotas.throttle(ctx.connection.id, t);
  return t;
}

/** A throttled Fetch returns no records, so the bytes it recorded are taken back (Kafka's unrecordQuotaSensor). */
export function unrecordFetchBytes(ctx: RequestContext, bytes: number, nowMs = Date.now()): void {
  securityServices(ctx)?.quotas?.fetch.unrecord(principalOf(ctx).name, ctx.clientId ?? '', bytes, nowMs);
}

/** Kafka's cap on a consumer's fetch max bytes: what its consumer_byte_rate allows in one quota window (Infinity: none). */
export function maxFetchBytesInQuotaWindow(ctx: RequestContext): number {
  return securityServices(ctx)?.quotas?.fetch.maxValueInQuotaWindow(principalOf(ctx).name, ctx.clientId ?? '') ?? Infinity;
}

/**
 * Request-percentage quota: the time the request held a handler, as Kafka's percent-seconds (ms × 100 / 1000).
 * Returns the throttle time (capped at one quota window) and mutes the connection for it.
 */
export function recordRequestTimeAndThrottle(ctx: RequestContext, handlerTimeMs: number, nowMs = Date.now()): number {
  const quotas = securityServices(ctx)?.quotas;
  if (!quotas) return 0;
  const t = quotas.recordAndGetThrottleTimeMs('request', principalOf(ctx), ctx.clientId, handlerTimeMs / 10, nowMs);
  if (t > 0) ctx.logger.debug({ quota: 'request', clientId: ctx.clientId, principal: principalOf(ctx).name, throttleTimeMs: t }, 'client over its request quota; muting its connection');
  quotas.throttle(ctx.connection.id, t);
  return t;
}

/**
 * APIs that never get the request quota's throttle: the inter-broker ones (Kafka's sendResponseExemptThrottle), and
 * Produce and Fetch, which record their request time together with their byte rate (the larger throttle wins).
 */
const REQUEST_QUOTA_EXEMPT = new Set([0, 1, 4, 5, 6, 7, 27, 56]);

/**
 * A handler whose time is recorded against the client's request_percentage quota and whose response, when it has a
 * throttleTimeMs field, carries the throttle (Kafka's sendResponseMaybeThrottle). The time recorded is the handler's
 * synchronous part, the time it held the event loop: Kafka counts request-handler thread time, not the time a
 * request waits in purgatory or on the coordinator.
 */
export function withRequestQuota(registered: RegisteredHandler): RegisteredHandler {
  if (REQUEST_QUOTA_EXEMPT.has(registered.api.apiKey)) return registered;
  return registered.withTypes<RegisteredHandler>(<A extends ApiDef>(h: Handler<A>): RegisteredHandler => defineHandler<A>({
    ...h,
    handle: (req, ctx) => {
      const t0 = performance.now();
      const out = h.handle(req, ctx);
      const handlerMs = performance.now() - t0;
      const finish = (r: HandlerResult<A>): HandlerResult<A> => {
        if ('noResponse' in r) return r;
        const t = recordRequestTimeAndThrottle(ctx, handlerMs);
        const current = (r as { throttleTimeMs?: unknown }).throttleTimeMs;
        if (t <= 0 || typeof current !== 'number') return r;
        return { ...r, throttleTimeMs: Math.max(current, t) };
      };
      return out instanceof Promise ? out.then(finish) : finish(out);
    },
  }));
}
