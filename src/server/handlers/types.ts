// What a request handler is and what it may use: the registry derives ApiVersions and dispatch from these.
import type { ApiDef, RequestOf, ResponseOf } from '../../protocol/schema';
import type { ConnectionContext } from '../../network/SocketServer';
import type { Logger } from '../../util/logger';
import type { KafkaConfig } from '../../config/KafkaConfig';
import type { MetadataCache } from '../MetadataCache';
import type { BrokerServices } from '../BrokerServices';

export interface RequestContext {
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly connection: ConnectionContext;
  readonly brokerId: number;
  readonly config: KafkaConfig;
  readonly metadataCache: MetadataCache;
  readonly services: BrokerServices;
  readonly logger: Logger;
  /** The version range of every registered API, as ApiVersions advertises them (derived by the registry). */
  readonly advertisedApis: readonly AdvertisedApi[];
  /**
   * Present when the connection may start its next request before this one is answered (SocketServer's
   * `mayOverlap`): the handler calls it once this request's effects have their place in order (an acks=-1 produce:
   * its appends are queued in their logs), and the next request then runs while this one waits for replication.
   * Responses still go out in request order. Not calling it keeps the connection to one request at a time.
   */
  readonly ordered?: () => void;
}

export interface AdvertisedApi {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** A handler's answer: a response body, or `noResponse` (acks=0 produce), optionally closing the connection. */
export type HandlerResult<A extends ApiDef> =
  | ResponseOf<A>
  | { readonly noResponse: true; readonly closeConnection?: string };

export interface Handler<A extends ApiDef = ApiDef> {
  readonly api: A;
  /** Versions this broker serves and advertises (identical on every broker). */
  readonly versions: readonly [number, number];
  handle(request: RequestOf<A>, ctx: RequestContext): Promise<HandlerResult<A>> | HandlerResult<A>;
  /**
   * True when nothing reads the request frame (or a view of it, such as decoded bytes) once `handle` has
   * settled: its frame buffer may then carry the next request (src/util/FramePool.ts).
   */
  readonly frameFreeAfterHandling?: boolean;
}

/**
 * A handler as the registry holds it: its API's request and response types are hidden, so handlers of different
 * APIs fit one list, and `withTypes` hands the handler, with its own types, to code that serves one request.
 */
export interface RegisteredHandler {
  readonly api: ApiDef;
  readonly versions: readonly [number, number];
  readonly frameFreeAfterHandling?: boolean;
  withTypes<R>(use: <A extends ApiDef>(handler: Handler<A>) => R): R;
}

export function defineHandler<A extends ApiDef>(h: Handler<A>): Handler<A> & RegisteredHandler {
  return { ...h, withTypes: (use) => use(h) };
}

export const noResponse = (closeConnection?: string): { noResponse: true; closeConnection?: string } =>
  closeConnection === undefined ? { noResponse: true } : { noResponse: true, closeConnection };
