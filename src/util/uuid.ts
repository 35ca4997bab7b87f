// Kafka's Uuid (topic ids, KIP-516) in its textual form: the 16 bytes as unpadded URL-safe base64, 22 characters.
import { randomUUID } from 'node:crypto';

/** Uuid.ZERO_UUID: "no id" on the wire (a topic without one, a request naming topics by name). */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
/** Uuid.METADATA_TOPIC_ID (0, 1): reserved for KRaft's metadata topic, never given to a topic. */
export const METADATA_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

/**
 * Uuid.randomUuid: a random (version 4) UUID, drawn again while it is one of the reserved ids or its text starts
 * with '-' (which a command line would take for an option).
 */
export function randomUuid(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
    if (id !== ZERO_UUID && id !== METADATA_TOPIC_ID && !id.startsWith('-')) return id;
  }
}

/**
 * Uuid.fromString: the canonical 22-character form of `s`, which must decode to exactly 16 bytes of URL-safe
 * base64 (padding allowed, as Java's decoder allows it); throws otherwise.
 */
export function parseUuid(s: string): string {
  if (s.length > 24 || !/^[A-Za-z0-9_-]{22}(==)?$/.test(s)) throw new Error(`'${s}' is not a base64 topic id`);
  const bytes = Buffer.from(s, 'base64url');
  if (bytes.length !== 16) throw new Error(`'${s}' does not decode to 16 bytes`);
  return bytes.toString('base64url');
}

/** A topic id a request or a file may carry as a real id: well formed and not the zero uuid. */
export function isRealTopicId(id: string | null | undefined): id is string {
  return typeof id === 'string' && id !== ZERO_UUID;
}
