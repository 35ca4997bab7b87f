// Metric names, types and labels of the broker's registry (the JMX exporter's mapping of Kafka's MBeans), read from
// stand-ins for the live objects, and the counters the request paths bump.
import { BrokerMetrics, type MetricsSources } from '../../../../src/server/metrics/BrokerMetrics';
import { BrokerTopicStats } from '../../../../src/server/metrics/BrokerTopicStats';
import { ControllerMetrics } from '../../../../src/controller/ControllerMetrics';
import { ControllerContext } from '../../../../src/controller/ControllerContext';
import { ConsumerLagTracker } from '../../../../src/coordinator/ConsumerLag';
import { logFlushStats } from '../../../../src/log/LogFlusher';
import type { ReplicaManager } from '../../../../src/server/ReplicaManager';
import type { LogManager } from '../../../../src/log/LogManager';
import type { KafkaController } from '../../../../src/controller/KafkaController';
import type { GroupCoordinator } from '../../../../src/coordinator/GroupCoordinator';
import type { ZkClient } from '../../../../src/zk/ZkClient';
import { parsePromText, sampleValue, type Sample } from '../../../util/promText';

function fakes() {
  const stats = new BrokerTopicStats();
  const partitions = [
    { isLeader: true, isr: [1, 2, 3], assignment: [1, 2, 3], minInSyncReplicas: 2 },
    { isLeader: true, isr: [1], assignment: [1, 2, 3], minInSyncReplicas: 2 },
    { isLeader: false, isr: [2], assignment: [2, 1], minInSyncReplicas: 1 },
  ];
  const rm = { stats, allPartitions: () => partitions, producePurgatory: { delayed: 4 }, fetchPurgatory: { delayed: 7 } } as unknown as ReplicaManager;
  const logs = [
    { topic: 'orders', partition: 0, size: 1234, numberOfSegments: 2, logEndOffset: 10n, logStartOffset: 0n },
    { topic: 'orders', partition: 1, size: 0, numberOfSegments: 1, logEndOffset: 0n, logStartOffset: 0n },
  ];
  const lm = { allLogs: () => logs } as unknown as LogManager;
  const ctx = new ControllerContext();
  ctx.setPartitionState({ topic: 'orders', partition: 0 }, 'OnlinePartition');
  ctx.setPartitionState({ topic: 'orders', partition: 1 }, 'OfflinePartition');
  const cm = new ControllerMetrics(ctx);
  const controller = { isActive: true, metrics: cm } as unknown as KafkaController;
  const lag = new ConsumerLagTracker(3, () => 0);
  lag.setHighWatermarkSource(() => 10n);
  const gc = {
    manager: { currentGroups: () => [{}, {}] },
    groupCountsByState: () => new Map([['Stable', 1], ['Empty', 1]]),
    stats: { completedRebalances: 5 },
    allGroupLags: () => [lag.groupLag('g1', [{ topic: 'orders', partition: 0, offset: 4n }])],
  } as unknown as GroupCoordinator;
  const zk = { isConnected: true, requestLatencyObserver: null } as unknown as ZkClient;
  const src: MetricsSources = {
    brokerId: 1,
    replicaManager: () => rm,
    logManager: () => lm,
    controller: () => controller,
    groupCoordinator: () => gc,
    zkSession: () => zk,
    brokerState: () => 3,
    refreshLagHighWatermarks: () => Promise.resolve(),
  };
  return { stats, cm, zk, src };
}

describe('BrokerMetrics', () => {
  let metrics: BrokerMetrics;
  let f: ReturnType<typeof fakes>;
  let samples: Sample[];
  let text: string;
  beforeAll(async () => {
    f = fakes();
    metrics = new BrokerMetrics(f.src);
    metrics.attach();
    f.stats.recordProduce('orders', 1000, 10);
    f.stats.recordProduce('orders', 500, 5);
    f.stats.recordProduce('audit', 100, 1);
    f.stats.recordProduceFailure('orders', 2048);
    f.stats.recordFetch('orders', 700, false, false);
    f.stats.recordFetch('orders', 900, true, false);
    f.stats.recordFetch('orders', 0, false, true);
    f.stats.isrShrinks = 2;
    f.stats.isrExpands = 3;
    f.cm.recordElections(12, 4);
    metrics.requests.observe(0, 'Produce', 9, 3.5);
    metrics.requests.observe(0, 'Produce', 9, 70);
    metrics.requests.observe(1, 'Fetch', 12, 501, 'FetchFollower');
    (f.zk.requestLatencyObserver as (ms: number) => void)(2);
    logFlushStats.observer?.(8);
    text = await metrics.scrape();
    samples = parsePromText(text);
  });
  afterAll(() => metrics.detach());

  it('names every Kafka metric as the JMX exporter maps its MBean, lower case, counters ending in _total', () => {
    const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    const kafka = [...types].filter(([n]) => n.startsWith('kafka_'));
    expect(Object.fromEntries(kafka)).toEqual({
      kafka_network_requestmetrics_totaltimems: 'histogram',
      kafka_network_requestmetrics_requests_total: 'counter',
      kafka_server_zookeeperclientmetrics_zookeeperrequestlatencyms: 'histogram',
      kafka_log_logflushstats_logflushrateandtimems: 'histogram',
      kafka_controller_controllerstats_leaderelectionrateandtimems: 'histogram',
      kafka_server_brokertopicmetrics_messagesin_total: 'counter',
      kafka_server_brokertopicmetrics_bytesin_total: 'counter',
      kafka_server_brokertopicmetrics_bytesout_total: 'counter',
      kafka_server_brokertopicmetrics_bytesrejected_total: 'counter',
      kafka_server_brokertopicmetrics_failedproducerequests_total: 'counter',
      kafka_server_brokertopicmetrics_failedfetchrequests_total: 'counter',
      kafka_server_brokertopicmetrics_totalproducerequests_total: 'counter',
      kafka_server_brokertopicmetrics_totalfetchrequests_total: 'counter',
      kafka_server_brokertopicmetrics_replicationbytesout_total: 'counter',
      kafka_server_replicamanager_underreplicatedpartitions: 'gauge',
      kafka_server_replicamanager_underminisrpartitioncount: 'gauge',
      kafka_server_replicamanager_partitioncount: 'gauge',
      kafka_server_replicamanager_leadercount: 'gauge',
      kafka_server_replicamanager_isrshrinks_total: 'counter',
      kafka_server_replicamanager_isrexpands_total: 'counter',
      kafka_server_delayedoperationpurgatory_purgatorysize: 'gauge',
      kafka_controller_kafkacontroller_activecontrollercount: 'gauge',
      kafka_controller_kafkacontroller_offlinepartitionscount: 'gauge',
      kafka_controller_kafkacontroller_globalpartitioncount: 'gauge',
      kafka_controller_kafkacontroller_globaltopiccount: 'gauge',
      kafka_controller_controllerstats_leaderelections_total: 'counter',
      kafka_coordinator_group_groupmetadatamanager_numgroups: 'gauge',
      kafka_coordinator_group_groupmetadatamanager_numgroupspreparingrebalance: 'gauge',
      kafka_coordinator_group_groupmetadatamanager_numgroupscompletingrebalance: 'gauge',
      kafka_coordinator_group_groupmetadatamanager_numgroupsstable: 'gauge',
      kafka_coordinator_group_groupmetadatamanager_numgroupsdead: 'gauge',
      kafka_coordinator_group_groupmetadatamanager_numgroupsempty: 'gauge',
      kafka_server_group_coordinator_metrics_group_completed_rebalance_total: 'counter',
      kafka_consumergroup_lag: 'gauge',
      kafka_consumergroup_status: 'gauge',
      kafka_consumergroup_partition_status: 'gauge',
      kafka_log_log_size: 'gauge',
      kafka_log_log_numlogsegments: 'gauge',
      kafka_log_log_logendoffset: 'gauge',
      kafka_log_log_logstartoffset: 'gauge',
      kafka_network_requestchannel_requestqueuesize: 'gauge',
      kafka_network_socketserver_networkprocessoravgidlepercent: 'gauge',
      kafka_server_sessionexpirelistener_sessionstate: 'gauge',
      kafka_server_kafkaserver_brokerstate: 'gauge',
    });
    for (const [name, type] of kafka) {
      expect(name).toMatch(/^kafka_[a-z]+(_[a-z]+)+$/);
      if (type === 'counter') expect(name).toMatch(/_total$/);
    }
    // Node's process metrics come from prom-client's defaults.
    for (const n of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_gc_duration_seconds']) expect(types.has(n)).toBe(true);
  });

  it('brokertopicmetrics: per topic with a topic label, all topics without one', () => {
    expect(sampleValue(samples, 'kafka_server_brokertopicmetrics_messagesin_total', { topic: 'orders' })).toBe(15);
    expect(sampleValue(samples, 'kafka_server_brokertopicmetrics_messagesin_total', { topic: 'audit' })).toBe(1);
    expect(sampleValue(samples, 'kafka_server_brokertopicmetrics_messagesin_total')).toBe(16);
    expect(sampleValue(samples, 'kafka_server_brokertopicmetrics_bytesin_total', { topic: 'orders' })).toBe(1500);
    expect(sampleValue(samples, 'kafka_server_brokertopicmetrics_bytesin_total')).toBe(1600);
    expect(sampleValue(samples, 'kafka_server_brokertopicmetrics_bytesrejected_total', { topic: 'orders' })).toBe(2048);
    expect(sampleValue(samples, 'kafka_server_brokertopicmetrics_failedproducerequests_total', { topic: 'orders' })).toBe(1);
    expect(sampleValue(samples, 'kafka_server_brokertopicmetrics_totalproducerequests_total', { topic: 'orders' })).toBe(3);
    expect(sampleValue(samples, 'kafka_server_brokertopicmetrics_bytesout_total', { topic: 'orders' })).toBe(700);
    expect(sampleValue(samples, 'kafka_server_brokertopicmetrics_replicationbytesout_total', { topic: 'orders' })).toBe(900);
    expect(sampleValue(samples, 'kafka_server_brokertopicmetrics_failedfetchrequests_total')).toBe(1);
  });

  it('replica manager, purgatory and controller gauges are read from the live objects', () => {
    expect(sampleValue(samples, 'kafka_server_replicamanager_underreplicatedpartitions')).toBe(1);
    expect(sampleValue(samples, 'kafka_server_replicamanager_underminisrpartitioncount')).toBe(1);
    expect(sampleValue(samples, 'kafka_server_replicamanager_partitioncount')).toBe(3);
    expect(sampleValue(samples, 'kafka_server_replicamanager_leadercount')).toBe(2);
    expect(sampleValue(samples, 'kafka_server_replicamanager_isrshrinks_total')).toBe(2);
    expect(sampleValue(samples, 'kafka_server_replicamanager_isrexpands_total')).toBe(3);
    expect(sampleValue(samples, 'kafka_server_delayedoperationpurgatory_purgatorysize', { delayedoperation: 'Produce' })).toBe(4);
    expect(sampleValue(samples, 'kafka_server_delayedoperationpurgatory_purgatorysize', { delayedoperation: 'Fetch' })).toBe(7);
    expect(sampleValue(samples, 'kafka_controller_kafkacontroller_activecontrollercount')).toBe(1);
    expect(sampleValue(samples, 'kafka_controller_kafkacontroller_offlinepartitionscount')).toBe(1);
    expect(sampleValue(samples, 'kafka_controller_controllerstats_leaderelections_total')).toBe(4);
    expect(sampleValue(samples, 'kafka_controller_controllerstats_leaderelectionrateandtimems_count')).toBe(1);
    expect(sampleValue(samples, 'kafka_controller_controllerstats_leaderelectionrateandtimems_sum')).toBe(12);
  });

  it('request time by request type and version; ZooKeeper and flush latencies', () => {
    expect(sampleValue(samples, 'kafka_network_requestmetrics_requests_total', { request: 'Produce', version: '9' })).toBe(2);
    expect(sampleValue(samples, 'kafka_network_requestmetrics_totaltimems_count', { request: 'Produce', version: '9' })).toBe(2);
    expect(sampleValue(samples, 'kafka_network_requestmetrics_totaltimems_sum', { request: 'Produce', version: '9' })).toBe(73.5);
    expect(sampleValue(samples, 'kafka_network_requestmetrics_totaltimems_bucket', { request: 'Produce', version: '9', le: '5' })).toBe(1);
    expect(sampleValue(samples, 'kafka_network_requestmetrics_totaltimems_bucket', { request: 'Fetch', version: '12', le: '500' })).toBe(0);
    expect(sampleValue(samples, 'kafka_network_requestmetrics_totaltimems_bucket', { request: 'Fetch', version: '12', le: '1000' })).toBe(1);
    // Fetches are also timed as FetchConsumer or FetchFollower, as Kafka does.
    expect(sampleValue(samples, 'kafka_network_requestmetrics_requests_total', { request: 'FetchFollower', version: '12' })).toBe(1);
    expect(sampleValue(samples, 'kafka_network_requestmetrics_requests_total', { request: 'Fetch', version: '12' })).toBe(1);
    expect(sampleValue(samples, 'kafka_network_requestmetrics_requests_total', { request: 'FetchConsumer', version: '12' })).toBeUndefined();
    expect(sampleValue(samples, 'kafka_server_zookeeperclientmetrics_zookeeperrequestlatencyms_count')).toBe(1);
    expect(sampleValue(samples, 'kafka_log_logflushstats_logflushrateandtimems_sum')).toBe(8);
    expect(sampleValue(samples, 'kafka_server_sessionexpirelistener_sessionstate', { state: 'CONNECTED' })).toBe(1);
  });

  it('log size and segments per partition, groups by state, rebalances, consumer lag and status', () => {
    expect(sampleValue(samples, 'kafka_log_log_size', { topic: 'orders', partition: '0' })).toBe(1234);
    expect(sampleValue(samples, 'kafka_log_log_numlogsegments', { topic: 'orders', partition: '0' })).toBe(2);
    expect(sampleValue(samples, 'kafka_log_log_logendoffset', { topic: 'orders', partition: '0' })).toBe(10);
    expect(sampleValue(samples, 'kafka_coordinator_group_groupmetadatamanager_numgroups')).toBe(2);
    expect(sampleValue(samples, 'kafka_coordinator_group_groupmetadatamanager_numgroupsstable')).toBe(1);
    expect(sampleValue(samples, 'kafka_coordinator_group_groupmetadatamanager_numgroupsdead')).toBe(0);
    expect(sampleValue(samples, 'kafka_server_group_coordinator_metrics_group_completed_rebalance_total')).toBe(5);
    expect(sampleValue(samples, 'kafka_consumergroup_lag', { group: 'g1', topic: 'orders', partition: '0' })).toBe(6);
    expect(sampleValue(samples, 'kafka_consumergroup_status', { group: 'g1' })).toBe(0);
    expect(sampleValue(samples, 'kafka_consumergroup_partition_status', { group: 'g1', topic: 'orders', partition: '0' })).toBe(0);
  });

  it('a broker not yet started answers zeros, not errors', async () => {
    const empty = new BrokerMetrics({ brokerId: 2, replicaManager: () => null, logManager: () => null, controller: () => null, groupCoordinator: () => null, zkSession: () => null, brokerState: () => 1, refreshLagHighWatermarks: () => Promise.resolve() });
    const s = parsePromText(await empty.scrape());
    expect(sampleValue(s, 'kafka_controller_kafkacontroller_activecontrollercount')).toBe(0);
    expect(sampleValue(s, 'kafka_server_brokertopicmetrics_messagesin_total')).toBeUndefined();
    expect(sampleValue(s, 'kafka_server_kafkaserver_brokerstate')).toBe(1);
    expect(sampleValue(s, 'kafka_server_sessionexpirelistener_sessionstate', { state: 'DISCONNECTED' })).toBe(1);
    empty.detach();
  });
});
