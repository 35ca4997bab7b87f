// queued.max.request.bytes: Kafka's name and meaning, Brook's bounded default, -1 for no limit.
import { buildConfig } from '../../../src/config/KafkaConfig';

const valueWith = (extra: Record<string, string>): bigint =>
  buildConfig(new Map(Object.entries({ 'broker.id': '1', 'zookeeper.connect': '127.0.0.1:2181', ...extra }))).values['queued.max.request.bytes'];

describe('queued.max.request.bytes', () => {
  it('defaults to 256 MiB (Kafka: -1) and takes -1 or a positive size', () => {
    expect(valueWith({})).toBe(268435456n);
    expect(valueWith({ 'queued.max.request.bytes': '-1' })).toBe(-1n);
    expect(valueWith({ 'queued.max.request.bytes': '8388608' })).toBe(8388608n);
  });

  it.each([
    ['0', 'queued.max.request.bytes must be -1 (no limit) or at least 1, got 0'],
    ['-2', 'queued.max.request.bytes must be -1 (no limit) or at least 1, got -2'],
    ['lots', 'queued.max.request.bytes must be an integer, got "lots"'],
  ])('rejects %s', (value, message) => {
    expect(() => valueWith({ 'queued.max.request.bytes': value })).toThrow(message);
  });
});
