// The metrics listener's HTTP surface: Prometheus text, liveness, readiness with a JSON reason, controller events,
// consumer lag as JSON, and errors for unknown paths and methods.
import { MetricsServer, parseMetricsListener } from '../../../../src/server/metrics/MetricsServer';
import { BrokerMetrics } from '../../../../src/server/metrics/BrokerMetrics';
import type { GroupLag } from '../../../../src/coordinator/ConsumerLag';
import { moduleLogger } from '../../../../src/util/logger';

describe('MetricsServer', () => {
  let server: MetricsServer;
  let metrics: BrokerMetrics;
  let ready: { ready: true } | { ready: false; reason: string } = { ready: false, reason: 'broker is starting (loading logs or registering)' };
  const lag: GroupLag = { group: 'g', status: 'STALLED', totalLag: 12n, partitions: [{ topic: 't', partition: 0, committedOffset: 3n, highWatermark: 15n, lag: 12n, status: 'STALLED', windowCommits: 10 }] };
  beforeAll(async () => {
    metrics = new BrokerMetrics({ brokerId: 7, replicaManager: () => null, logManager: () => null, controller: () => null, groupCoordinator: () => null, zkSession: () => null, brokerState: () => 3, refreshLagHighWatermarks: () => Promise.resolve() });
    server = new MetricsServer({
      listener: 'http://127.0.0.1:0',
      brokerId: 7,
      metrics,
      readiness: () => ready,
      controllerEvents: () => ({ active: true, events: [{ time: 1, type: 'BrokerChange', detail: '', durationMs: 3 }] }),
      groupLag: async (g) => (g === 'g' ? lag : null),
      logger: moduleLogger('test'),
    });
    await server.startup();
  });
  afterAll(async () => {
    await server.shutdown();
    metrics.detach();
  });
  const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);

  it('parses listener URLs and refuses others', () => {
    expect(parseMetricsListener('http://127.0.0.1:9644')).toEqual({ host: '127.0.0.1', port: 9644 });
    expect(parseMetricsListener('http://:9644/')).toEqual({ host: '0.0.0.0', port: 9644 });
    expect(() => parseMetricsListener('https://x:1')).toThrow(/metrics.listener/);
  });

  it('/metrics answers the Prometheus text format', async () => {
    const r = await get('/metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await r.text()).toMatch(/^kafka_server_kafkaserver_brokerstate 3$/m);
  });

  it('/health/live is 200; /health/ready is 503 with the reason until ready, then 200', async () => {
    const live = await get('/health/live');
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'live', brokerId: 7 });
    const notReady = await get('/health/ready');
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not ready', brokerId: 7, reason: 'broker is starting (loading logs or registering)' });
    ready = { ready: true };
    const nowReady = await get('/health/ready');
    expect(nowReady.status).toBe(200);
    expect(await nowReady.json()).toEqual({ status: 'ready', brokerId: 7 });
  });

  it('/controller/events follows the console contract', async () => {
    expect(await (await get('/controller/events')).json()).toEqual({ brokerId: 7, active: true, events: [{ time: 1, type: 'BrokerChange', detail: '', durationMs: 3 }] });
  });

  it('/consumer-groups/lag: offsets as strings; 404 for a group coordinated elsewhere; 400 without a group', async () => {
    const r = await get('/consumer-groups/lag?group=g');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ group: 'g', status: 'STALLED', totalLag: '12', partitions: [{ topic: 't', partition: 0, committedOffset: '3', highWatermark: '15', lag: '12', status: 'STALLED', windowCommits: 10 }] });
    expect((await get('/consumer-groups/lag?group=other')).status).toBe(404);
    expect((await get('/consumer-groups/lag')).status).toBe(400);
  });

  it('unknown paths are 404 and other methods 405', async () => {
    expect((await get('/x')).status).toBe(404);
    expect((await get('/metrics', { method: 'POST' })).status).toBe(405);
  });
});
