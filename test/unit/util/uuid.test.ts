import { METADATA_TOPIC_ID, ZERO_UUID, isRealTopicId, parseUuid, randomUuid } from '../../../src/util/uuid';

describe('Kafka Uuid (topic ids)', () => {
  it('the reserved ids are the 16-byte values 0 and 1 in base64url', () => {
    expect(Buffer.from(ZERO_UUID, 'base64url')).toEqual(Buffer.alloc(16));
    expect(Buffer.from(METADATA_TOPIC_ID, 'base64url')).toEqual(Buffer.from([...Array(15).fill(0), 1]));
  });

  it('randomUuid: 22 characters of unpadded base64url, a version 4 uuid, never reserved or starting with "-"', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const id = randomUuid();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      const bytes = Buffer.from(id, 'base64url');
      expect(bytes.length).toBe(16);
      expect((bytes[6]! >> 4) & 0xf).toBe(4);
      expect(id).not.toBe(ZERO_UUID);
      expect(id).not.toBe(METADATA_TOPIC_ID);
      seen.add(id);
    }
    expect(seen.size).toBe(500);
  });

  it('parseUuid accepts the 22-character form (and its padded 24), refuses anything else', () => {
    const id = randomUuid();
    expect(parseUuid(id)).toBe(id);
    expect(parseUuid(`${id}==`)).toBe(id);
    for (const bad of ['', 'x', `${id}A`, `${id.slice(0, 21)}+`, `${id.slice(0, 21)}/`, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAA']) expect(() => parseUuid(bad)).toThrow();
  });

  it('isRealTopicId: a string other than the zero uuid', () => {
    expect(isRealTopicId(randomUuid())).toBe(true);
    expect(isRealTopicId(ZERO_UUID)).toBe(false);
    expect(isRealTopicId(null)).toBe(false);
    expect(isRealTopicId(undefined)).toBe(false);
  });
});
