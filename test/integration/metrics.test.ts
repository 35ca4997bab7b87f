// Every broker of a 3-broker cluster serves metrics.listener: counters match a produce/consume run, the
// under-replicated gauge goes 0 -> N -> 0 around a follower's kill -9 and restart, exactly one broker reports the
// active controller, and the health and controller-event endpoints answer as load balancers and the console expect.
import { Kafka, logLevel } from 'kafkajs';
import { freePort, runBrook, startCluster, waitFor, type TestCluster } from '../harness';
import { parsePromText, sampleValue, sumOf, type Sample } from '../util/promText';

jest.setTimeout(240_000);

describe('metrics.listener on a 3-broker cluster', () => {
  let cluster: TestCluster;
  const ports: number[] = [];
  const url = (id: number): string => `http://127.0.0.1:${ports[id - 1]}`;
  const scrape = async (id: number): Promise<Sample[]> => {
    const res = await fetch(`${url(id)}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePromText(await res.text());
  };
  const scrapeAll = async (ids: number[]): Promise<Sample[][]> => Promise.all(ids.map(scrape));
  const total = (all: Sample[][], name: string, labels: Record<string, string> = {}): number => all.reduce((s, x) => s + sumOf(x, name, labels), 0);

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) ports.push(await freePort());
    cluster = await startCluster({
      brokers: 3,
      overrides: (id) => ({ 'metrics.listener': url(id), 'offsets.topic.num.partitions': '3', 'consumer.lag.window.commits': '3' }),
    });
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  it('health: live and ready on every broker; controller events from the active controller; 404 elsewhere', async () => {
    for (const id of [1, 2, 3]) {
      const live = await fetch(`${url(id)}/health/live`);
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: 'live', brokerId: id });
      const ready = await waitFor(async () => {
        const r = await fetch(`${url(id)}/health/ready`);
        return r.status === 200 ? ((await r.json()) as unknown) : undefined;
      }, { timeoutMs: 20_000, what: `broker ${id} ready` });
      expect(ready).toEqual({ status: 'ready', brokerId: id });
      expect((await fetch(`${url(id)}/nope`)).status).toBe(404);
    }
    const controller = await cluster.waitForController();
    const body = (await (await fetch(`${url(controller)}/controller/events`)).json()) as { brokerId: number; active: boolean; events: Array<{ time: number; type: string; detail: string; durationMs: number }> };
    expect(body.brokerId).toBe(controller);
    expect(body.active).toBe(true);
    expect(body.events.length).toBeGreaterThan(0);
    expect(body.events.map((e) => e.type)).toContain('Startup');
    for (const e of body.events) {
      expect(typeof e.time).toBe('number');
      expect(typeof e.detail).toBe('string');
      expect(e.durationMs).toBeGreaterThanOrEqual(0);
    }
    const other = [1, 2, 3].find((b) => b !== controller)!;
    const otherBody = (await (await fetch(`${url(other)}/controller/events`)).json()) as { active: boolean; events: unknown[] };
    expect(otherBody.active).toBe(false);
  });

  it('counters match a produce/consume run; lag falls to 0 with status OK; one active controller', async () => {
    const kafka = new Kafka({ clientId: 'metrics-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'm', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    const value = 'x'.repeat(100);
    const sends = 20;
    const perSend = 25;
    for (let i = 0; i < sends; i++) {
      await producer.send({ topic: 'm', acks: -1, messages: Array.from({ length: perSend }, (_, j) => ({ key: `k${i}-${j}`, value })) });
    }
    await producer.disconnect();
    const records = sends * perSend;

    const consumer = kafka.consumer({ groupId: 'metrics-group' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'm', fromBeginning: true });
    let consumed = 0;
    await consumer.run({ autoCommitInterval: 100, eachMessage: async () => { consumed++; } });
    await waitFor(() => consumed >= records || undefined, { timeoutMs: 60_000, what: 'every record consumed' });
    // Committed offsets reach the end of every partition.
    await waitFor(async () => {
      const o = await admin.fetchOffsets({ groupId: 'metrics-group', topics: ['m'] });
      const sum = o[0]!.partitions.reduce((s, p) => s + Number(p.offset), 0);
      return sum === records || undefined;
    }, { timeoutMs: 30_000, what: 'offsets committed to the end' });

    const all = await scrapeAll([1, 2, 3]);
    // Each record is counted once, on its partition's leader; all-topics series (no label) include it too.
    expect(total(all, 'kafka_server_brokertopicmetrics_messagesin_total', { topic: 'm' })).toBe(records);
    const bytesIn = total(all, 'kafka_server_brokertopicmetrics_bytesin_total', { topic: 'm' });
    expect(bytesIn).toBeGreaterThan(records * value.length);
    expect(all.reduce((s, x) => s + (sampleValue(x, 'kafka_server_brokertopicmetrics_messagesin_total') ?? 0), 0)).toBeGreaterThanOrEqual(records);
    // The consumer read every batch at least once; followers replicated each batch to two replicas.
    expect(total(all, 'kafka_server_brokertopicmetrics_bytesout_total', { topic: 'm' })).toBeGreaterThanOrEqual(bytesIn);
    expect(total(all, 'kafka_server_brokertopicmetrics_replicationbytesout_total', { topic: 'm' })).toBeGreaterThanOrEqual(2 * bytesIn);
    expect(total(all, 'kafka_server_brokertopicmetrics_failedproducerequests_total', { topic: 'm' })).toBe(0);
    expect(total(all, 'kafka_server_brokertopicmetrics_bytesrejected_total', { topic: 'm' })).toBe(0);
    // Every produce request was timed, by type and version.
    expect(total(all, 'kafka_network_requestmetrics_requests_total', { request: 'Produce' })).toBeGreaterThanOrEqual(sends);
    expect(total(all, 'kafka_network_requestmetrics_totaltimems_count', { request: 'Produce' })).toBe(total(all, 'kafka_network_requestmetrics_requests_total', { request: 'Produce' }));
    expect(all.some((x) => x.some((s) => s.name === 'kafka_network_requestmetrics_totaltimems_bucket' && s.labels.request === 'Fetch' && s.labels.version !== undefined))).toBe(true);
    // Fetches are split as Kafka does: the consumer's and the followers'.
    expect(total(all, 'kafka_network_requestmetrics_requests_total', { request: 'FetchConsumer' })).toBeGreaterThan(0);
    expect(total(all, 'kafka_network_requestmetrics_requests_total', { request: 'FetchFollower' })).toBeGreaterThan(0);
    expect(total(all, 'kafka_network_requestmetrics_requests_total', { request: 'FetchConsumer' }) + total(all, 'kafka_network_requestmetrics_requests_total', { request: 'FetchFollower' })).toBe(total(all, 'kafka_network_requestmetrics_requests_total', { request: 'Fetch' }));
    expect(total(all, 'kafka_controller_kafkacontroller_activecontrollercount')).toBe(1);
    expect(total(all, 'kafka_server_replicamanager_leadercount')).toBeGreaterThanOrEqual(3);
    // Log size per partition replica: three replicas of each of the three partitions hold the data.
    const sizes = all.flatMap((x) => x.filter((s) => s.name === 'kafka_log_log_size' && s.labels.topic === 'm'));
    expect(sizes).toHaveLength(9);
    for (const s of sizes) expect(s.labels.partition).toMatch(/^[0-2]$/);
    expect(total(all, 'kafka_log_log_numlogsegments', { topic: 'm' })).toBeGreaterThanOrEqual(9);
    for (const x of all) {
      expect(sampleValue(x, 'kafka_server_sessionexpirelistener_sessionstate', { state: 'CONNECTED' })).toBe(1);
      expect(sampleValue(x, 'kafka_server_kafkaserver_brokerstate')).toBe(3);
      expect(sampleValue(x, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(x.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
      const idle = sampleValue(x, 'kafka_network_socketserver_networkprocessoravgidlepercent')!;
      expect(idle).toBeGreaterThanOrEqual(0);
      expect(idle).toBeLessThanOrEqual(1);
    }
    expect(total(all, 'kafka_server_zookeeperclientmetrics_zookeeperrequestlatencyms_count')).toBeGreaterThan(0);
    expect(total(all, 'kafka_coordinator_group_groupmetadatamanager_numgroupsstable')).toBe(1);
    expect(total(all, 'kafka_server_group_coordinator_metrics_group_completed_rebalance_total')).toBeGreaterThanOrEqual(1);

    // Lag: reported by the group's coordinator only, one series per partition, 0 once caught up, status OK (0).
    const lagSeries = all.flatMap((x) => x.filter((s) => s.name === 'kafka_consumergroup_lag' && s.labels.group === 'metrics-group'));
    expect(lagSeries.map((s) => s.labels.partition).sort()).toEqual(['0', '1', '2']);
    for (const s of lagSeries) expect(s.value).toBe(0);
    expect(total(all, 'kafka_consumergroup_status', { group: 'metrics-group' })).toBe(0);

    // brook consumer-groups --describe keeps Kafka's columns and adds the coordinator's lag status.
    const described = await runBrook(['consumer-groups', '--describe', '--group', 'metrics-group', '--bootstrap-server', cluster.bootstrap]);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID/);
    expect(described.stdout).toMatch(/^LAG STATUS: OK \(total lag 0/m);

    await consumer.disconnect();
    await admin.disconnect();
  });

  it('the coordinator reports lag for partitions it does not host, from their leaders\' high watermarks', async () => {
    const kafka = new Kafka({ clientId: 'metrics-remote', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    // One replica per partition, one partition per broker: whichever broker coordinates the group hosts one of them.
    await admin.createTopics({ topics: [{ topic: 'solo', replicaAssignment: [0, 1, 2].map((p) => ({ partition: p, replicas: [p + 1] })) }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    for (let p = 0; p < 3; p++) await producer.send({ topic: 'solo', acks: 1, messages: Array.from({ length: 5 + p }, () => ({ partition: p, value: 'v' })) });
    await producer.disconnect();
    const r = await runBrook(['consumer-groups', '--reset-offsets', '--group', 'remote', '--topic', 'solo', '--to-offset', '1', '--execute', '--bootstrap-server', cluster.bootstrap]);
    expect(r.code).toBe(0);
    const lags = await waitFor(async () => {
      const all = await scrapeAll([1, 2, 3]);
      const s = all.flatMap((x) => x.filter((v) => v.name === 'kafka_consumergroup_lag' && v.labels.group === 'remote'));
      return s.length === 3 ? Object.fromEntries(s.map((v) => [v.labels.partition!, v.value])) : undefined;
    }, { timeoutMs: 15_000, what: 'lag of all three partitions from the coordinator' });
    expect(lags).toEqual({ 0: 4, 1: 5, 2: 6 });
    await admin.disconnect();
  });

  it('a group whose committed offset stops while data arrives is STALLED, then STOPPED once it stops committing', async () => {
    const kafka = new Kafka({ clientId: 'metrics-stuck', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer();
    await admin.connect();
    await producer.connect();
    // The scenario's timeline (window of 3 commits, 1.5 s apart): the spacing is the input, not a synchronisation.
    const spacingMs = 1500;
    for (let i = 0; i < 3; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, spacingMs));
      await producer.send({ topic: 'm', acks: -1, messages: [{ partition: 0, value: `more-${i}` }] });
      // A plain OffsetCommit of offset 0 (kafkajs' setOffsets would join the group first).
      const r = await runBrook(['consumer-groups', '--reset-offsets', '--group', 'stuck', '--topic', 'm:0', '--to-offset', '0', '--execute', '--bootstrap-server', cluster.bootstrap]);
      expect(r.code).toBe(0);
    }
    const statusOf = async (): Promise<number | undefined> => {
      const all = await scrapeAll([1, 2, 3]);
      const s = all.flatMap((x) => x.filter((v) => v.name === 'kafka_consumergroup_status' && v.labels.group === 'stuck'));
      expect(s.length).toBeLessThanOrEqual(1);
      return s[0]?.value;
    };
    // Right after the third commit: the offset never moved across the window while the lag grew.
    expect(await statusOf()).toBe(2);
    const lag = await waitFor(async () => {
      const all = await scrapeAll([1, 2, 3]);
      return all.flatMap((x) => x.filter((v) => v.name === 'kafka_consumergroup_lag' && v.labels.group === 'stuck'))[0]?.value;
    }, { timeoutMs: 10_000, what: 'lag of the stuck group' });
    expect(lag).toBeGreaterThan(0);
    // No commit for longer than the window spans: STOPPED, shown by brook consumer-groups --describe.
    await waitFor(async () => ((await statusOf()) === 3 ? true : undefined), { timeoutMs: 15_000, what: 'STOPPED' });
    const described = await runBrook(['consumer-groups', '--describe', '--group', 'stuck', '--bootstrap-server', cluster.bootstrap]);
    expect(described.stdout).toMatch(/^LAG STATUS: STOPPED \(total lag \d+/m);
    expect(described.stdout).toMatch(/^  m-0: STOPPED \(lag \d+, 3 commits in the window\)$/m);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('under-replicated partitions go 0 -> N -> 0 around a follower kill -9 and restart; one active controller throughout', async () => {
    const kafka = new Kafka({ clientId: 'metrics-ur', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'ur', numPartitions: 6, replicationFactor: 3 }], waitForLeaders: true });
    await waitFor(async () => total(await scrapeAll([1, 2, 3]), 'kafka_server_replicamanager_underreplicatedpartitions') === 0 || undefined, { timeoutMs: 30_000, what: 'no under-replicated partition before the kill' });

    const controller = await cluster.waitForController();
    const victim = [1, 2, 3].find((b) => b !== controller)!;
    const live = [1, 2, 3].filter((b) => b !== victim);
    // Every partition with a replica on the victim and more than one replica becomes under-replicated on its leader.
    const meta = await admin.fetchTopicMetadata();
    const expected = meta.topics.flatMap((t) => t.partitions).filter((p) => p.replicas.length > 1 && p.replicas.includes(victim)).length;
    expect(expected).toBeGreaterThanOrEqual(6);
    // Partitions whose only replica is the victim (topic 'solo') go offline instead.
    const offline = meta.topics.flatMap((t) => t.partitions).filter((p) => p.replicas.length === 1 && p.replicas[0] === victim).length;
    const ledByVictim = meta.topics.flatMap((t) => t.partitions).filter((p) => p.leader === victim && p.replicas.length > 1).length;
    const electionsBefore = sampleValue(await scrape(controller), 'kafka_controller_controllerstats_leaderelections_total')!;

    cluster.broker(victim).kill('SIGKILL');
    await waitFor(async () => {
      const all = await scrapeAll(live);
      return total(all, 'kafka_server_replicamanager_underreplicatedpartitions') === expected || undefined;
    }, { timeoutMs: 45_000, what: `${expected} under-replicated partitions after the kill` });
    const during = await scrapeAll(live);
    expect(total(during, 'kafka_controller_kafkacontroller_activecontrollercount')).toBe(1);
    expect(total(during, 'kafka_controller_kafkacontroller_offlinepartitionscount')).toBe(offline);
    // The controller elected new leaders for the victim's leaderships and counted them.
    const elections = sampleValue(await scrape(controller), 'kafka_controller_controllerstats_leaderelections_total')!;
    expect(elections - electionsBefore).toBeGreaterThanOrEqual(ledByVictim);
    if (ledByVictim > 0) expect(sampleValue(await scrape(controller), 'kafka_controller_controllerstats_leaderelectionrateandtimems_count')).toBeGreaterThan(0);
    const gone = await fetch(`${url(victim)}/health/live`).then(() => 'answered', () => 'refused');
    expect(gone).toBe('refused');
    // The survivors stay ready: the partitions gone offline were led by the victim, not by them.
    for (const id of live) expect((await fetch(`${url(id)}/health/ready`)).status).toBe(200);

    await cluster.broker(victim).restart();
    await waitFor(async () => {
      const all = await scrapeAll([1, 2, 3]);
      return total(all, 'kafka_server_replicamanager_underreplicatedpartitions') === 0 || undefined;
    }, { timeoutMs: 60_000, what: 'no under-replicated partition after the restart' });
    await waitFor(async () => total(await scrapeAll([1, 2, 3]), 'kafka_controller_kafkacontroller_offlinepartitionscount') === 0 || undefined, { timeoutMs: 30_000, what: 'no offline partition after the restart' });
    const after = await scrapeAll([1, 2, 3]);
    expect(total(after, 'kafka_controller_kafkacontroller_activecontrollercount')).toBe(1);
    // The returning follower rejoined every ISR through expansions on the leaders.
    expect(total(after, 'kafka_server_replicamanager_isrexpands_total')).toBeGreaterThanOrEqual(expected);
    await admin.disconnect();
  });
});
