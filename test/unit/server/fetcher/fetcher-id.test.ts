// num.replica.fetchers: which fetcher a partition goes to (Kafka's AbstractFetcherManager.getFetcherId).
import { fetcherIdFor } from '../../../../src/server/fetcher/ReplicaFetcherManager';

describe('fetcherIdFor', () => {
  it('is 0 with one fetcher', () => {
    expect(fetcherIdFor('orders', 5, 1)).toBe(0);
  });
  it('matches abs(31 * topic.hashCode + partition) % n as Java computes it', () => {
    // "abc".hashCode() = 96354; 31 * 96354 + 1 = 2986975
    expect(fetcherIdFor('abc', 1, 2)).toBe(2986975 % 2);
    expect(fetcherIdFor('abc', 0, 3)).toBe(2986974 % 3);
    // A topic whose hash overflows int32 (Java wraps): "replicated-topic-with-a-long-name".
    let h = 0;
    for (const c of 'replicated-topic-with-a-long-name') h = (h * 31 + c.charCodeAt(0)) | 0;
    expect(fetcherIdFor('replicated-topic-with-a-long-name', 7, 4)).toBe(Math.abs((Math.imul(h, 31) + 7) | 0) % 4);
  });
  it('spreads partitions over every fetcher', () => {
    const ids = new Set(Array.from({ length: 12 }, (_x, p) => fetcherIdFor('t', p, 3)));
    expect([...ids].sort()).toEqual([0, 1, 2]);
  });
});
