// The one list of handlers: dispatch, ApiVersions and documentation are all derived from it.
import type { Handler } from './types';
import { setAdvertisedApiVersions } from './registry-data';
import { metadataHandler } from './03-metadata';
import { apiVersionsHandler } from './18-api-versions';
import { controlledShutdownHandler } from './07-controlled-shutdown';
import { createTopicsHandler } from './19-create-topics';
import { deleteTopicsHandler } from './20-delete-topics';
import { createPartitionsHandler } from './37-create-partitions';
import { electLeadersHandler } from './43-elect-leaders';
import { alterIsrHandler } from './56-alter-isr';

const all: Handler[] = [
  metadataHandler as unknown as Handler,
  apiVersionsHandler as unknown as Handler,
  controlledShutdownHandler as unknown as Handler,
  createTopicsHandler as unknown as Handler,
  deleteTopicsHandler as unknown as Handler,
  createPartitionsHandler as unknown as Handler,
  electLeadersHandler as unknown as Handler,
  alterIsrHandler as unknown as Handler,
];

export const handlersByKey: ReadonlyMap<number, Handler> = new Map(all.map((h) => [h.api.apiKey, h]));

setAdvertisedApiVersions(
  [...handlersByKey.values()]
    .map((h) => ({ apiKey: h.api.apiKey, minVersion: h.versions[0], maxVersion: h.versions[1] }))
    .sort((a, b) => a.apiKey - b.apiKey),
);

/** Adds handlers from later layers (kept explicit: each layer calls this once at import). */
export function registeredHandlers(): Handler[] {
  return [...handlersByKey.values()];
}
