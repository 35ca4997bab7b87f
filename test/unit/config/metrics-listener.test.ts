// metrics.listener (off by default, an http://host:port URL) and consumer.lag.window.commits.
import { buildConfig } from '../../../src/config/KafkaConfig';

const values = (extra: Record<string, string>) =>
  buildConfig(new Map(Object.entries({ 'broker.id': '1', 'zookeeper.connect': '127.0.0.1:2181', ...extra }))).values;

describe('metrics.listener', () => {
  it('is off by default and takes http://host:port', () => {
    expect(values({})['metrics.listener']).toBeNull();
    expect(values({ 'metrics.listener': 'http://127.0.0.1:9644' })['metrics.listener']).toBe('http://127.0.0.1:9644');
    expect(values({ 'metrics.listener': 'http://:0' })['metrics.listener']).toBe('http://:0');
  });

  it.each(['127.0.0.1:9644', 'https://127.0.0.1:9644', 'http://127.0.0.1:9644/metrics', 'http://127.0.0.1'])('rejects %s', (v) => {
    expect(() => values({ 'metrics.listener': v })).toThrow(`metrics.listener must look like http://127.0.0.1:9644, got ${v}`);
  });

  it('consumer.lag.window.commits defaults to 10, at least 2', () => {
    expect(values({})['consumer.lag.window.commits']).toBe(10);
    expect(() => values({ 'consumer.lag.window.commits': '1' })).toThrow('consumer.lag.window.commits must be at least 2, got 1');
  });
});
