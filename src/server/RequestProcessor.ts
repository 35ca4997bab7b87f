// Turns a request frame into a response frame: header, version check, decode, handler, encode.
import { readRequestHeader, decodeRequest, encodeResponse, encodeResponseParts, type RequestHeader } from '../protocol/codec';
import { ApiVersions } from '../protocol/messages/18-api-versions';
import { ErrorCode } from '../protocol/errors';
import { CloseConnection, type ConnectionContext } from '../network/SocketServer';
import { advertisedApis, handlersByKey } from './handlers/registry';
import type { Handler, HandlerResult, RequestContext } from './handlers/types';
import type { ApiDef, RequestOf } from '../protocol/schema';
import type { KafkaConfig } from '../config/KafkaConfig';
import type { MetadataCache } from './MetadataCache';
import type { BrokerServices } from './BrokerServices';
import type { Logger } from '../util/logger';
import { mapErrorToCode } from './errorMapping';
import { errorResponseFor } from './errorResponse';
import type { RequestMetrics } from './metrics/BrokerMetrics';

export interface RequestProcessorDeps {
  brokerId: number;
  config: KafkaConfig;
  metadataCache: MetadataCache;
  services: BrokerServices;
  logger: Logger;
  /** Times each request by API and version (metrics.listener); absent when metrics are off. */
  requestMetrics?: RequestMetrics;
}

export function createRequestProcessor(deps: RequestProcessorDeps): (frame: Buffer, conn: ConnectionContext, ordered?: () => void) => Promise<Buffer | Buffer[] | null> {
  const apiVersionsRange = handlersByKey.get(ApiVersions.apiKey)!.versions;
  return async (frame, conn, ordered) => {
    let header;
    try {
      header = readRequestHeader(frame);
    } catch (e) {
      throw new CloseConnection(`unparsable request header: ${(e as Error).message}`);
    }
    const handler = handlersByKey.get(header.apiKey);
    if (!handler) throw new CloseConnection(`unknown or unsupported API key ${header.apiKey}`);
    const [min, max] = handler.versions;
    if (header.apiVersion < min || header.apiVersion > max) {
      if (header.apiKey === ApiVersions.apiKey) {
        // KIP-511: answer with a v0-layout body naming our range, and keep the connection open.
        return encodeResponse(ApiVersions, 0, header.correlationId, {
          errorCode: ErrorCode.UNSUPPORTED_VERSION,
          apiKeys: [{ apiKey: ApiVersions.apiKey, minVersion: apiVersionsRange[0], maxVersion: apiVersionsRange[1] }],
          throttleTimeMs: 0,
          supportedFeatures: [],
          finalizedFeaturesEpoch: -1n,
          finalizedFeatures: [],
        });
      }
      throw new CloseConnection(`unsupported version ${header.apiVersion} of API ${handler.api.name} (supported ${min}-${max})`);
    }
    const metrics = deps.requestMetrics;
    if (!metrics) return handler.withTypes((h) => serve(h, header, frame, conn, deps, ordered));
    // Timed from decode to the response being ready (Kafka's TotalTimeMs less the socket queues Node does not have).
    const t0 = performance.now();
    metrics.inFlight++;
    try {
      return await handler.withTypes((h) => serve(h, header, frame, conn, deps, ordered));
    } finally {
      metrics.inFlight--;
      // Kafka also times fetches as FetchConsumer or FetchFollower: replica_id is the body's first field up to v14.
      const role = header.apiKey === 1 && frame.length >= header.bodyOffset + 4 ? (frame.readInt32BE(header.bodyOffset) >= 0 ? 'FetchFollower' : 'FetchConsumer') : null;
      metrics.observe(header.apiKey, handler.api.name, header.apiVersion, performance.now() - t0, role);
    }
  };
}

/** Decodes, handles and encodes one request of the API of `handler`, whose version is already checked. */
async function serve<A extends ApiDef>(handler: Handler<A>, header: RequestHeader & { bodyOffset: number }, frame: Buffer, conn: ConnectionContext, deps: RequestProcessorDeps, ordered?: () => void): Promise<Buffer | Buffer[] | null> {
  let body: RequestOf<A>;
  try {
    body = decodeRequest(handler.api, header.apiVersion, frame, header.bodyOffset);
  } catch (e) {
    throw new CloseConnection(`unparsable ${handler.api.name} v${header.apiVersion} request: ${(e as Error).message}`);
  }
  const ctx: RequestContext = {
    apiVersion: header.apiVersion,
    correlationId: header.correlationId,
    clientId: header.clientId,
    connection: conn,
    brokerId: deps.brokerId,
    config: deps.config,
    metadataCache: deps.metadataCache,
    services: deps.services,
    logger: deps.logger,
    advertisedApis,
    ordered,
  };
  let result: HandlerResult<A>;
  try {
    result = await handler.handle(body, ctx);
  } catch (e) {
    // Unexpected: answer every part of the request with the mapped error code (UNKNOWN_SERVER_ERROR unless the
    // error carries a Kafka code) and keep the connection. Close only where no answer is possible: acks=0
    // produce (the client reads none) or a response version with nowhere to put the error.
    const code = mapErrorToCode(e);
    const message = e instanceof Error ? e.message : String(e);
    const acks0 = (body as { acks?: unknown }).acks === 0 && handler.api.apiKey === 0;
    const answer = acks0 ? null : errorResponseFor(handler.api, header.apiVersion, body, code, message);
    deps.logger.error({ err: e, api: handler.api.name, version: header.apiVersion, errorCode: code, answered: answer !== null }, 'request handler failed');
    if (answer === null) throw new CloseConnection(`handler for ${handler.api.name} failed with error code ${code}`);
    return encodeResponse(handler.api, header.apiVersion, header.correlationId, answer as never);
  }
  if ('noResponse' in result) {
    if (result.closeConnection) conn.closeAfterPending(result.closeConnection);
    return null;
  }
  // Fetched records go out by reference (no copy into the response frame).
  return encodeResponseParts(handler.api, header.apiVersion, header.correlationId, result);
}
