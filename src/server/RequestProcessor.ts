// Turns a request frame into a response frame: header, version check, decode, handler, encode.
import { readRequestHeader, decodeRequest, encodeResponse } from '../protocol/codec';
import { ApiVersions } from '../protocol/messages/18-api-versions';
import { ErrorCode } from '../protocol/errors';
import { CloseConnection, type ConnectionContext } from '../network/SocketServer';
import { handlersByKey } from './handlers/registry';
import type { RequestContext } from './handlers/types';
import type { KafkaConfig } from '../config/KafkaConfig';
import type { MetadataCache } from './MetadataCache';
import type { BrokerServices } from './BrokerServices';
import type { Logger } from '../util/logger';
import { mapErrorToCode } from './errorMapping';

export interface RequestProcessorDeps {
  brokerId: number;
  config: KafkaConfig;
  metadataCache: MetadataCache;
  services: BrokerServices;
  logger: Logger;
}

export function createRequestProcessor(deps: RequestProcessorDeps): (frame: Buffer, conn: ConnectionContext) => Promise<Buffer | null> {
  const apiVersionsRange = handlersByKey.get(ApiVersions.apiKey)!.versions;
  return async (frame, conn) => {
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
    let body;
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
    };
    let result;
    try {
      result = await handler.handle(body, ctx);
    } catch (e) {
      const code = mapErrorToCode(e);
      deps.logger.error({ err: e, api: handler.api.name, version: header.apiVersion }, 'request handler failed');
      throw new CloseConnection(`handler for ${handler.api.name} failed with error code ${code}`);
    }
    if (result !== null && typeof result === 'object' && 'noResponse' in result) {
      if (result.closeConnection) conn.closeAfterPending(result.closeConnection);
      return null;
    }
    return encodeResponse(handler.api, header.apiVersion, header.correlationId, result);
  };
}
