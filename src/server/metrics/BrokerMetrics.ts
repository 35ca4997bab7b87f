// The broker's Prometheus registry: metric names follow the common JMX exporter rules applied to Kafka's MBeans
// (kafka.<domain><type=T, name=N, k=v> -> kafka_<domain>_<t>_<n>{k="v"}, lower case, `_total` on counters; see the
// README table). Gauges and counters are read at scrape time from the live objects and the plain counters the request
// paths bump; only latencies are observed as they happen.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { KafkaController } from '../../controller/KafkaController';
import type { GroupCoordinator } from '../../coordinator/GroupCoordinator';
import { LAG_STATUS_SEVERITY } from '../../coordinator/ConsumerLag';
import type { LogManager } from '../../log/LogManager';
import { logFlushStats } from '../../log/LogFlusher';
import type { ZkClient } from '../../zk/ZkClient';
import type { ReplicaManager } from '../ReplicaManager';
import type { TopicCounters } from './BrokerTopicStats';

/** What the metrics read; each getter answers null until (or after) that part runs. */
export interface MetricsSources {
  brokerId: number;
  replicaManager(): ReplicaManager | null;
  logManager(): LogManager | null;
  controller(): KafkaController | null;
  groupCoordinator(): GroupCoordinator | null;
  zkSession(): ZkClient | null;
  /** Kafka's BrokerState: 3 running, 1 starting, 6/7 shutting down / not running. */
  brokerState(): number;
  /** Refreshes the remote high watermarks consumer lag needs before a scrape computes it. */
  refreshLagHighWatermarks(): Promise<void>;
}

/** Milliseconds: request, flush and ZooKeeper latencies span sub-ms to the request timeout. */
const MS_BUCKETS = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];
/** How long a scrape waits for remote high watermarks before answering with what it has. */
const LAG_REFRESH_WAIT_MS = 1000;

type TopicField = Exclude<keyof TopicCounters, never>;

/** BrokerTopicMetrics counters: Prometheus name part and the TopicCounters field. */
const TOPIC_COUNTERS: ReadonlyArray<[string, TopicField, string]> = [
  ['messagesin', 'messagesIn', 'Records appended by clients (MessagesInPerSec).'],
  ['bytesin', 'bytesIn', 'Record batch bytes appended by clients (BytesInPerSec).'],
  ['bytesout', 'bytesOut', 'Record bytes sent to consumers (BytesOutPerSec).'],
  ['bytesrejected', 'bytesRejected', 'Bytes of produced batches refused as too large or invalid (BytesRejectedPerSec).'],
  ['failedproducerequests', 'failedProduceRequests', 'Partition appends that failed (FailedProduceRequestsPerSec).'],
  ['failedfetchrequests', 'failedFetchRequests', 'Partition reads answered with an error (FailedFetchRequestsPerSec).'],
  ['totalproducerequests', 'totalProduceRequests', 'Partition appends attempted (TotalProduceRequestsPerSec).'],
  ['totalfetchrequests', 'totalFetchRequests', 'Partition reads answered (TotalFetchRequestsPerSec).'],
  ['replicationbytesout', 'replicationBytesOut', 'Record bytes sent to follower replicas (ReplicationBytesOutPerSec).'],
];

/** Times each request and counts those in flight (the closest Node has to Kafka's request queue). */
export class RequestMetrics {
  inFlight = 0;
  private readonly children = new Map<number, { hist: Histogram.Internal<string>; count: Counter.Internal }>();

  constructor(
    private readonly totalTime: Histogram<'request' | 'version'>,
    private readonly requests: Counter<'request' | 'version'>,
  ) {}

  /**
   * One request answered after `ms`, under its API name and, for fetches, also under `role` (FetchConsumer or
   * FetchFollower, as Kafka). Label children are cached per name and version, so this is a map lookup.
   */
  observe(apiKey: number, apiName: string, version: number, ms: number, role: string | null = null): void {
    const c = this.child(apiKey * 256 + version, apiName, version);
    c.hist.observe(ms);
    c.count.inc();
    if (role === null) return;
    const r = this.child((role === 'FetchFollower' ? 1 << 20 : 1 << 21) + version, role, version);
    r.hist.observe(ms);
    r.count.inc();
  }

  private child(id: number, name: string, version: number): { hist: Histogram.Internal<string>; count: Counter.Internal } {
    let c = this.children.get(id);
    if (!c) {
      const labels = { request: name, version: String(version) };
      c = { hist: this.totalTime.labels(labels), count: this.requests.labels(labels) };
      this.children.set(id, c);
    }
    return c;
  }
}

export class BrokerMetrics {
  readonly registry = new Registry();
  readonly requests: RequestMetrics;
  private readonly zkLatency: Histogram;
  private readonly flushTime: Histogram;
  private readonly electionTime: Histogram;
  private readonly flushObserver = (ms: number): void => this.flushTime.observe(ms);

  constructor(private readonly src: MetricsSources) {
    const reg = this.registry;
    // process_cpu_seconds_total, process_resident_memory_bytes, nodejs_eventloop_lag_*, nodejs_gc_duration_seconds...
    collectDefaultMetrics({ register: reg });
    const registers = [reg];

    this.requests = new RequestMetrics(
      new Histogram({ name: 'kafka_network_requestmetrics_totaltimems', help: 'Time from reading a request to its response being ready, ms (RequestMetrics TotalTimeMs).', labelNames: ['request', 'version'], buckets: MS_BUCKETS, registers }),
      new Counter({ name: 'kafka_network_requestmetrics_requests_total', help: 'Requests answered (RequestMetrics RequestsPerSec).', labelNames: ['request', 'version'], registers }),
    );
    this.zkLatency = new Histogram({ name: 'kafka_server_zookeeperclientmetrics_zookeeperrequestlatencyms', help: 'ZooKeeper request round trips, ms.', buckets: MS_BUCKETS, registers });
    this.flushTime = new Histogram({ name: 'kafka_log_logflushstats_logflushrateandtimems', help: 'Log flush (fsync) time, ms.', buckets: MS_BUCKETS, registers });
    this.electionTime = new Histogram({ name: 'kafka_controller_controllerstats_leaderelectionrateandtimems', help: 'Leader election passes of the active controller and their time, ms (count: passes electing at least one leader).', buckets: MS_BUCKETS, registers });
    logFlushStats.observer = this.flushObserver;

    this.topicMetrics(registers);
    this.replicaMetrics(registers);
    this.controllerMetrics(registers);
    this.groupMetrics(registers);
    this.logMetrics(registers);
    this.networkAndSessionMetrics(registers);
  }

  /** Hooks the latency observers of parts created after the registry (ZooKeeper session, controller). */
  attach(): void {
    const zk = this.src.zkSession();
    if (zk) zk.requestLatencyObserver = (ms) => this.zkLatency.observe(ms);
    const c = this.src.controller();
    if (c) c.metrics.onElection = (ms) => this.electionTime.observe(ms);
  }

  detach(): void {
    if (logFlushStats.observer === this.flushObserver) logFlushStats.observer = null;
    const zk = this.src.zkSession();
    if (zk) zk.requestLatencyObserver = null;
    const c = this.src.controller();
    if (c) c.metrics.onElection = null;
  }

  /** The Prometheus text exposition. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  private topicMetrics(registers: Registry[]): void {
    const src = this.src;
    for (const [name, field, help] of TOPIC_COUNTERS) {
      new Counter({
        name: `kafka_server_brokertopicmetrics_${name}_total`,
        help: `${help} With a topic label per topic, without one for all topics.`,
        labelNames: ['topic'],
        registers,
        collect() {
          this.reset();
          const stats = src.replicaManager()?.stats;
          if (!stats) return;
          this.inc(stats.allTopics[field]);
          for (const [topic, t] of stats.topics) this.inc({ topic }, t[field]);
        },
      });
    }
  }

  private replicaMetrics(registers: Registry[]): void {
    const src = this.src;
    const gauge = (name: string, help: string, value: (rm: ReplicaManager) => number): void => {
      new Gauge({ name, help, registers, collect() { const rm = src.replicaManager(); this.set(rm ? value(rm) : 0); } });
    };
    gauge('kafka_server_replicamanager_underreplicatedpartitions', 'Partitions led here whose ISR is smaller than their replica set.', (rm) => {
      let n = 0;
      for (const p of rm.allPartitions()) if (p.isLeader && p.isr.length < p.assignment.length) n++;
      return n;
    });
    gauge('kafka_server_replicamanager_underminisrpartitioncount', 'Partitions led here whose ISR is below min.insync.replicas.', (rm) => {
      let n = 0;
      for (const p of rm.allPartitions()) if (p.isLeader && p.isr.length < p.minInSyncReplicas) n++;
      return n;
    });
    gauge('kafka_server_replicamanager_partitioncount', 'Partition replicas hosted here.', (rm) => rm.allPartitions().length);
    gauge('kafka_server_replicamanager_leadercount', 'Partitions led here.', (rm) => rm.allPartitions().reduce((n, p) => n + (p.isLeader ? 1 : 0), 0));
    new Counter({ name: 'kafka_server_replicamanager_isrshrinks_total', help: 'ISR shrinks committed by the controller.', registers, collect() { this.reset(); this.inc(src.replicaManager()?.stats.isrShrinks ?? 0); } });
    new Counter({ name: 'kafka_server_replicamanager_isrexpands_total', help: 'ISR expansions committed by the controller.', registers, collect() { this.reset(); this.inc(src.replicaManager()?.stats.isrExpands ?? 0); } });
    new Gauge({
      name: 'kafka_server_delayedoperationpurgatory_purgatorysize',
      help: 'Operations waiting in a purgatory (Produce: acks=-1 produces, Fetch: long-polling fetches).',
      labelNames: ['delayedoperation'],
      registers,
      collect() {
        const rm = src.replicaManager();
        this.set({ delayedoperation: 'Produce' }, rm?.producePurgatory.delayed ?? 0);
        this.set({ delayedoperation: 'Fetch' }, rm?.fetchPurgatory.delayed ?? 0);
      },
    });
  }

  private controllerMetrics(registers: Registry[]): void {
    const src = this.src;
    const active = (): KafkaController | null => {
      const c = src.controller();
      return c?.isActive ? c : null;
    };
    new Gauge({ name: 'kafka_controller_kafkacontroller_activecontrollercount', help: '1 on the active controller, 0 elsewhere: sums to 1 over a healthy cluster.', registers, collect() { this.set(active() ? 1 : 0); } });
    new Gauge({ name: 'kafka_controller_kafkacontroller_offlinepartitionscount', help: 'Partitions without a live leader (reported by the active controller only).', registers, collect() { this.set(active()?.metrics.offlinePartitionCount() ?? 0); } });
    new Gauge({ name: 'kafka_controller_kafkacontroller_globalpartitioncount', help: 'Partitions in the cluster (active controller only).', registers, collect() { this.set(active()?.metrics.globalPartitionCount() ?? 0); } });
    new Gauge({ name: 'kafka_controller_kafkacontroller_globaltopiccount', help: 'Topics in the cluster (active controller only).', registers, collect() { this.set(active()?.metrics.globalTopicCount() ?? 0); } });
    new Counter({ name: 'kafka_controller_controllerstats_leaderelections_total', help: 'Partitions given a leader by an election on this controller.', registers, collect() { this.reset(); this.inc(src.controller()?.metrics.leaderElections ?? 0); } });
  }

  private groupMetrics(registers: Registry[]): void {
    const src = this.src;
    const states = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty'] as const;
    new Gauge({ name: 'kafka_coordinator_group_groupmetadatamanager_numgroups', help: 'Consumer groups served by this coordinator.', registers, collect() { this.set(src.groupCoordinator()?.manager.currentGroups().length ?? 0); } });
    for (const s of states) {
      new Gauge({
        name: `kafka_coordinator_group_groupmetadatamanager_numgroups${s.toLowerCase()}`,
        help: `Consumer groups served here in state ${s}.`,
        registers,
        collect() { this.set(src.groupCoordinator()?.groupCountsByState().get(s) ?? 0); },
      });
    }
    new Counter({ name: 'kafka_server_group_coordinator_metrics_group_completed_rebalance_total', help: 'Rebalances whose join phase completed (a new generation).', registers, collect() { this.reset(); this.inc(src.groupCoordinator()?.stats.completedRebalances ?? 0); } });
    // Lag needs fresh remote high watermarks; the three lag gauges share one computation per scrape.
    let lagsAt: Promise<ReturnType<GroupCoordinator['allGroupLags']>> | null = null;
    const lags = (): Promise<ReturnType<GroupCoordinator['allGroupLags']>> => {
      lagsAt ??= (async () => {
        const gc = src.groupCoordinator();
        if (!gc || gc.manager.currentGroups().length === 0) return [];
        await Promise.race([src.refreshLagHighWatermarks(), new Promise((r) => setTimeout(r, LAG_REFRESH_WAIT_MS).unref())]);
        return gc.allGroupLags();
      })().finally(() => setImmediate(() => (lagsAt = null)));
      return lagsAt;
    };
    new Gauge({
      name: 'kafka_consumergroup_lag',
      help: 'High watermark minus committed offset, per partition of each group this broker coordinates.',
      labelNames: ['group', 'topic', 'partition'],
      registers,
      async collect() {
        this.reset();
        for (const g of await lags()) for (const p of g.partitions) if (p.lag !== null) this.set({ group: g.group, topic: p.topic, partition: String(p.partition) }, Number(p.lag));
      },
    });
    new Gauge({
      name: 'kafka_consumergroup_status',
      help: 'Burrow-style status of each group coordinated here: 0 OK, 1 WARNING, 2 STALLED, 3 STOPPED (its worst partition).',
      labelNames: ['group'],
      registers,
      async collect() {
        this.reset();
        for (const g of await lags()) this.set({ group: g.group }, LAG_STATUS_SEVERITY[g.status]);
      },
    });
    new Gauge({
      name: 'kafka_consumergroup_partition_status',
      help: 'Burrow-style status per partition of each group coordinated here: 0 OK, 1 WARNING, 2 STALLED, 3 STOPPED.',
      labelNames: ['group', 'topic', 'partition'],
      registers,
      async collect() {
        this.reset();
        for (const g of await lags()) for (const p of g.partitions) this.set({ group: g.group, topic: p.topic, partition: String(p.partition) }, LAG_STATUS_SEVERITY[p.status]);
      },
    });
  }

  private logMetrics(registers: Registry[]): void {
    const src = this.src;
    const perLog = (name: string, help: string, value: (l: ReturnType<LogManager['allLogs']>[number]) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['topic', 'partition'],
        registers,
        collect() {
          this.reset();
          for (const l of src.logManager()?.allLogs() ?? []) this.set({ topic: l.topic, partition: String(l.partition) }, value(l));
        },
      });
    };
    perLog('kafka_log_log_size', 'Bytes of the partition replica\'s log on disk (segments).', (l) => l.size);
    perLog('kafka_log_log_numlogsegments', 'Segments of the partition replica\'s log.', (l) => l.numberOfSegments);
    perLog('kafka_log_log_logendoffset', 'Log end offset of the partition replica.', (l) => Number(l.logEndOffset));
    perLog('kafka_log_log_logstartoffset', 'Log start offset of the partition replica.', (l) => Number(l.logStartOffset));
  }

  private networkAndSessionMetrics(registers: Registry[]): void {
    const src = this.src;
    const requests = this.requests;
    let lastElu: EventLoopUtilization = performance.eventLoopUtilization();
    new Gauge({ name: 'kafka_network_requestchannel_requestqueuesize', help: 'Requests read and not yet answered (Node handles them as they arrive: the in-flight count).', registers, collect() { this.set(requests.inFlight); } });
    new Gauge({
      name: 'kafka_network_socketserver_networkprocessoravgidlepercent',
      help: 'Approximation: the share of time the event loop (which does the network processors\' work) was idle since the last scrape, 0-1.',
      registers,
      collect() {
        const elu = performance.eventLoopUtilization();
        const delta = performance.eventLoopUtilization(elu, lastElu);
        lastElu = elu;
        this.set(1 - delta.utilization);
      },
    });
    new Gauge({
      name: 'kafka_server_sessionexpirelistener_sessionstate',
      help: '1 for the ZooKeeper session\'s current state (CONNECTED or DISCONNECTED).',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        const zk = src.zkSession();
        this.set({ state: zk?.isConnected ? 'CONNECTED' : 'DISCONNECTED' }, 1);
      },
    });
    new Gauge({ name: 'kafka_server_kafkaserver_brokerstate', help: 'Kafka\'s BrokerState: 1 starting, 3 running, 6 shutting down, 7 not running.', registers, collect() { this.set(src.brokerState()); } });
  }
}
