// Kafka-level ZooKeeper operations (KafkaZkApi): broker registration, controller election, topics, partition
// state and admin requests, with every controller write fenced by the /controller_epoch zkVersion.
import type { Logger } from '../util/logger';
import { moduleLogger } from '../util/logger';
import {
  BrokerIdAlreadyRegisteredError,
  ControllerMovedError,
  TopicAlreadyExistsError,
  ZkVersionMismatchError,
  type BrokerRegistration,
  type KafkaZkApi,
  type LeaderIsrState,
  type TopicAssignment,
  type Unsubscribe,
} from './api';
import {
  BadVersionError,
  NoNodeError,
  NodeExistsError,
  NotEmptyError,
  ZkClient,
  ZkError,
  type ZkOp,
  type ZkClientOptions,
} from './ZkClient';
import {
  BrokerIdZNode,
  BrokerIdsZNode,
  ClusterIdZNode,
  ConfigChangesZNode,
  ConfigEntityChangeNotificationSequenceZNode,
  ConfigEntityZNode,
  ControllerEpochZNode,
  ControllerZNode,
  DeleteTopicsTopicZNode,
  DeleteTopicsZNode,
  PERSISTENT_PATHS,
  PreferredReplicaElectionZNode,
  ReassignPartitionsZNode,
  TopicPartitionStateZNode,
  TopicPartitionZNode,
  TopicPartitionsZNode,
  TopicZNode,
  type ConfigEntityType,
} from './znodes';

/** Kafka's changeExpirationMs for /config/changes notifications. */
export const CONFIG_CHANGE_EXPIRATION_MS = 15 * 60 * 1000;

type WatchKind = 'children' | 'exists';

interface Subscription {
  kind: WatchKind;
  path: string;
  onChange: () => void;
  active: boolean;
  /** Only the most recently armed watcher may fire: older ones (from before a re-arm) are ignored. */
  generation: number;
}

/** Partition state key, as everywhere in the API: "topic-partition". */
const key = (topic: string, partition: number): string => `${topic}-${partition}`;

/** The largest multi we send: ZooKeeper refuses requests above jute.maxbuffer (1 MB by default). */
const MAX_OPS_PER_MULTI = 1000;

export interface KafkaZkClientOptions extends ZkClientOptions {
  /** Age after which /config/changes notifications are deleted (Kafka: 15 minutes); tests shorten it. */
  configChangeExpirationMs?: number;
}

export class KafkaZkClient implements KafkaZkApi {
  private readonly subs = new Set<Subscription>();
  private readonly reestablishedCbs = new Set<() => void>();
  private readonly expiredCbs = new Set<() => void>();
  private registration: BrokerRegistration | null = null;
  private currentBrokerEpoch: bigint | null = null;
  private closed = false;
  private readonly log: Logger;

  constructor(readonly zk: ZkClient, logger?: Logger, private readonly configChangeExpirationMs = CONFIG_CHANGE_EXPIRATION_MS) {
    this.log = logger ?? moduleLogger('zk');
    zk.on('expired', () => {
      for (const cb of this.expiredCbs) this.safeCall(cb);
    });
    zk.on('reestablished', () => void this.afterReestablished());
  }

  /** Connects a new session (see ZkClient.connect for chroot handling and the timeout message). */
  static async connect(connectString: string, opts: KafkaZkClientOptions): Promise<KafkaZkClient> {
    return new KafkaZkClient(await ZkClient.connect(connectString, opts), opts.logger, opts.configChangeExpirationMs);
  }

  /** czxid of our current /brokers/ids/<id> registration (changes after re-registration). */
  get brokerEpoch(): bigint | null {
    return this.currentBrokerEpoch;
  }

  private safeCall(cb: () => void): void {
    try {
      cb();
    } catch (e) {
      this.log.error({ err: e }, 'ZooKeeper subscriber threw');
    }
  }

  private async afterReestablished(): Promise<void> {
    if (this.registration) {
      // Keep trying: a broker without its registration is invisible to the controller.
      for (let attempt = 0; !this.closed; attempt++) {
        try {
          await this.doRegisterBroker(this.registration);
          break;
        } catch (e) {
          if (e instanceof BrokerIdAlreadyRegisteredError) {
            this.log.error({ err: e }, 'could not re-register broker after session expiry');
            break;
          }
          this.log.warn({ err: e, attempt }, 're-registering broker failed; retrying');
          await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
        }
      }
    }
    if (this.closed) return;
    // The new session has none of the old watches: re-arm every subscription and tell it something may
    // have changed while we were away.
    for (const sub of this.subs) {
      this.arm(sub);
      this.safeCall(sub.onChange);
    }
    for (const cb of this.reestablishedCbs) this.safeCall(cb);
  }

  // ----------------------------------------------------------------------------------- subscriptions

  private subscribe(kind: WatchKind, path: string, onChange: () => void): Unsubscribe {
    const sub: Subscription = { kind, path, onChange, active: true, generation: 0 };
    this.subs.add(sub);
    this.arm(sub);
    return () => {
      sub.active = false;
      this.subs.delete(sub);
    };
  }

  private arm(sub: Subscription): void {
    if (!sub.active || this.closed) return;
    const generation = ++sub.generation;
    const watcher = (): void => {
      if (!sub.active || generation !== sub.generation || this.closed) return;
      // Re-arm before notifying: the subscriber's re-read is queued after the new watch, so no change is lost.
      this.arm(sub);
      this.safeCall(sub.onChange);
    };
    const onError = (e: unknown): void => {
      if (!sub.active || this.closed) return;
      // After an expiry the whole set is re-armed on 'reestablished'; other failures are logged.
      this.log.warn({ err: e, path: sub.path }, 'could not arm ZooKeeper watch');
    };
    if (sub.kind === 'exists') {
      this.zk.exists(sub.path, watcher).catch(onError);
    } else {
      this.zk.getChildren(sub.path, watcher).catch((e) => {
        // No parent yet: watch for its creation, which re-arms the child watch.
        if (e instanceof NoNodeError) this.zk.exists(sub.path, watcher).catch(onError);
        else onError(e);
      });
    }
  }

  onSessionReestablished(cb: () => void): Unsubscribe {
    this.reestablishedCbs.add(cb);
    return () => this.reestablishedCbs.delete(cb);
  }

  onSessionExpired(cb: () => void): Unsubscribe {
    this.expiredCbs.add(cb);
    return () => this.expiredCbs.delete(cb);
  }

  // ---------------------------------------------------------------------------------------- fencing

  private check(controllerEpochZkVersion: number): ZkOp {
    return { type: 'check', path: ControllerEpochZNode.path, version: controllerEpochZkVersion };
  }

  /** Runs a multi whose first op is the epoch check; a failed check becomes ControllerMovedError. */
  private async fencedMulti(controllerEpochZkVersion: number, ops: ZkOp[]): ReturnType<ZkClient['multi']> {
    try {
      return await this.zk.multi([this.check(controllerEpochZkVersion), ...ops]);
    } catch (e) {
      if (e instanceof ZkError && e.opIndex === 0 && (e instanceof BadVersionError || e instanceof NoNodeError)) {
        throw new ControllerMovedError(
          `controller moved: /controller_epoch zkVersion is no longer ${controllerEpochZkVersion}`,
        );
      }
      if (e instanceof ZkError && e.opIndex !== undefined) e.opIndex -= 1; // index into the caller's ops
      throw e;
    }
  }

  // ----------------------------------------------------------------------------- cluster and brokers

  async ensureBasePaths(): Promise<void> {
    await Promise.all(PERSISTENT_PATHS.map((p) => this.zk.createRecursive(p)));
  }

  async getOrCreateClusterId(proposedId: string): Promise<string> {
    try {
      return ClusterIdZNode.decode((await this.zk.getData(ClusterIdZNode.path)).data);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
    await this.zk.createRecursive('/cluster');
    try {
      await this.zk.create(ClusterIdZNode.path, ClusterIdZNode.encode(proposedId));
      return proposedId;
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
      return ClusterIdZNode.decode((await this.zk.getData(ClusterIdZNode.path)).data);
    }
  }

  async registerBroker(reg: BrokerRegistration): Promise<bigint> {
    const epoch = await this.doRegisterBroker(reg);
    this.registration = reg;
    return epoch;
  }

  private async doRegisterBroker(reg: BrokerRegistration): Promise<bigint> {
    const path = BrokerIdZNode.path(reg.id);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.zk.create(path, BrokerIdZNode.encode(reg), 'ephemeral');
      } catch (e) {
        if (e instanceof NoNodeError && attempt < 3) {
          await this.zk.createRecursive(BrokerIdsZNode.path);
          continue;
        }
        if (!(e instanceof NodeExistsError)) throw e;
        // Ours from this session (a create retried after a connection loss) is fine; anyone else's is not.
        const existing = await this.zk.exists(path);
        if (!existing) continue; // vanished meanwhile: try again
        if (existing.ephemeralOwner !== this.zk.sessionId) throw new BrokerIdAlreadyRegisteredError(reg.id);
      }
      const stat = await this.zk.exists(path);
      if (!stat) continue;
      this.currentBrokerEpoch = stat.czxid;
      this.log.info({ brokerId: reg.id, brokerEpoch: String(stat.czxid) }, 'registered broker in ZooKeeper');
      return stat.czxid;
    }
  }

  async getAllBrokers(): Promise<BrokerRegistration[]> {
    let ids: string[];
    try {
      ids = await this.zk.getChildren(BrokerIdsZNode.path);
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
    const brokers = await Promise.all(
      ids.map(async (s): Promise<BrokerRegistration | null> => {
        const id = Number(s);
        try {
          const { data, stat } = await this.zk.getData(BrokerIdZNode.path(id));
          return { ...BrokerIdZNode.decode(id, data), epoch: stat.czxid };
        } catch (e) {
          if (e instanceof NoNodeError) return null; // left between list and read
          throw e;
        }
      }),
    );
    return brokers.filter((b): b is BrokerRegistration => b !== null).sort((a, b) => a.id - b.id);
  }

  onBrokersChange(cb: () => void): Unsubscribe {
    return this.subscribe('children', BrokerIdsZNode.path, cb);
  }

  // ------------------------------------------------------------------------------ controller election

  async getControllerId(): Promise<number | null> {
    try {
      return ControllerZNode.decode((await this.zk.getData(ControllerZNode.path)).data);
    } catch (e) {
      if (e instanceof NoNodeError) return null;
      throw e;
    }
  }

  async getControllerEpoch(): Promise<{ epoch: number; zkVersion: number } | null> {
    try {
      const { data, stat } = await this.zk.getData(ControllerEpochZNode.path);
      return { epoch: ControllerEpochZNode.decode(data), zkVersion: stat.version };
    } catch (e) {
      if (e instanceof NoNodeError) return null;
      throw e;
    }
  }

  /**
   * As Kafka's registerControllerAndIncrementControllerEpoch: create /controller_epoch with 0 if absent,
   * then one multi creates the ephemeral /controller and bumps the epoch conditionally on its zkVersion.
   */
  async tryElectController(brokerId: number): Promise<{ epoch: number; epochZkVersion: number } | null> {
    for (let attempt = 0; attempt < 5; attempt++) {
      let current = await this.getControllerEpoch();
      if (!current) {
        try {
          await this.zk.create(ControllerEpochZNode.path, ControllerEpochZNode.encode(ControllerEpochZNode.initialEpoch));
          current = { epoch: ControllerEpochZNode.initialEpoch, zkVersion: 0 };
        } catch (e) {
          if (!(e instanceof NodeExistsError)) throw e;
          continue; // someone else created it: read it again
        }
      }
      const newEpoch = current.epoch + 1;
      try {
        const results = await this.zk.multi([
          { type: 'create', path: ControllerZNode.path, data: ControllerZNode.encode(brokerId), mode: 'ephemeral' },
          { type: 'setData', path: ControllerEpochZNode.path, data: ControllerEpochZNode.encode(newEpoch), version: current.zkVersion },
        ]);
        const r = results[1];
        const zkVersion = r && r.type === 'setData' ? r.stat.version : current.zkVersion + 1;
        return { epoch: newEpoch, epochZkVersion: zkVersion };
      } catch (e) {
        if (e instanceof NodeExistsError && e.opIndex === 0) {
          // Our own earlier attempt may have succeeded before a connection loss.
          const stat = await this.zk.exists(ControllerZNode.path);
          const again = await this.getControllerEpoch();
          if (stat && stat.ephemeralOwner === this.zk.sessionId && again && again.epoch === newEpoch) {
            return { epoch: again.epoch, epochZkVersion: again.zkVersion };
          }
          return null;
        }
        // The epoch moved under us (a rival won and maybe already died): look again.
        if (e instanceof BadVersionError && e.opIndex === 1) continue;
        throw e;
      }
    }
    return null;
  }

  onControllerChange(cb: () => void): Unsubscribe {
    return this.subscribe('exists', ControllerZNode.path, cb);
  }

  // -------------------------------------------------------------------------------------------- topics

  async getAllTopics(): Promise<string[]> {
    try {
      return (await this.zk.getChildren('/brokers/topics')).sort();
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
  }

  onTopicsChange(cb: () => void): Unsubscribe {
    return this.subscribe('children', '/brokers/topics', cb);
  }

  async getTopicAssignment(topic: string): Promise<TopicAssignment | null> {
    try {
      const { data, stat } = await this.zk.getData(TopicZNode.path(topic));
      return { ...TopicZNode.decode(topic, data), zkVersion: stat.version };
    } catch (e) {
      if (e instanceof NoNodeError) return null;
      throw e;
    }
  }

  async getTopicAssignments(topics: string[]): Promise<Map<string, TopicAssignment>> {
    const all = await Promise.all(topics.map(async (t) => [t, await this.getTopicAssignment(t)] as const));
    const out = new Map<string, TopicAssignment>();
    for (const [t, a] of all) if (a) out.set(t, a);
    return out;
  }

  onTopicAssignmentChange(topic: string, cb: () => void): Unsubscribe {
    return this.subscribe('exists', TopicZNode.path(topic), cb);
  }

  /** As Kafka's AdminZkClient: topic config first, then the assignment, whose creation is the commit point. */
  async createTopic(topic: string, assignment: Map<number, number[]>, config: Record<string, string>): Promise<void> {
    if (await this.zk.exists(TopicZNode.path(topic))) throw new TopicAlreadyExistsError(topic);
    await this.writeEntityConfig('topics', topic, config);
    const data = TopicZNode.encode({ partitions: assignment, addingReplicas: new Map(), removingReplicas: new Map() });
    try {
      await this.zk.create(TopicZNode.path(topic), data);
    } catch (e) {
      if (e instanceof NodeExistsError) throw new TopicAlreadyExistsError(topic);
      if (!(e instanceof NoNodeError)) throw e;
      await this.zk.createRecursive('/brokers/topics');
      try {
        await this.zk.create(TopicZNode.path(topic), data);
      } catch (e2) {
        if (e2 instanceof NodeExistsError) throw new TopicAlreadyExistsError(topic);
        throw e2;
      }
    }
  }

  async addPartitions(topic: string, fullAssignment: Map<number, number[]>, expectedZkVersion?: number): Promise<void> {
    const current = await this.getTopicAssignment(topic);
    if (!current) throw new NoNodeError(-101, 'NO_NODE', TopicZNode.path(topic));
    // Existing partitions keep their replicas (and any reassignment in progress); only new ones are added.
    const partitions = new Map(current.partitions);
    for (const [p, replicas] of fullAssignment) if (!partitions.has(p)) partitions.set(p, replicas);
    const sorted = new Map([...partitions].sort((a, b) => a[0] - b[0]));
    const version = expectedZkVersion ?? current.zkVersion ?? -1;
    try {
      await this.zk.setData(
        TopicZNode.path(topic),
        TopicZNode.encode({ partitions: sorted, addingReplicas: current.addingReplicas, removingReplicas: current.removingReplicas }),
        version,
      );
    } catch (e) {
      if (e instanceof BadVersionError) throw new ZkVersionMismatchError(TopicZNode.path(topic));
      throw e;
    }
  }

  async setTopicAssignment(topic: string, assignment: TopicAssignment, controllerEpochZkVersion: number): Promise<void> {
    await this.fencedMulti(controllerEpochZkVersion, [
      { type: 'setData', path: TopicZNode.path(topic), data: TopicZNode.encode(assignment), version: -1 },
    ]);
  }

  // -------------------------------------------------------------------------------------------- config

  private async readEntityConfig(type: ConfigEntityType, name: string): Promise<Record<string, string>> {
    const path = ConfigEntityZNode.path(type, name);
    try {
      return ConfigEntityZNode.decode(path, (await this.zk.getData(path)).data);
    } catch (e) {
      if (e instanceof NoNodeError) return {};
      throw e;
    }
  }

  private async writeEntityConfig(type: ConfigEntityType, name: string, config: Record<string, string>): Promise<void> {
    const path = ConfigEntityZNode.path(type, name);
    const data = ConfigEntityZNode.encode(config);
    try {
      await this.zk.setData(path, data, -1);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      await this.zk.createRecursive(`/config/${type}`);
      try {
        await this.zk.create(path, data);
      } catch (e2) {
        if (!(e2 instanceof NodeExistsError)) throw e2;
        await this.zk.setData(path, data, -1);
      }
    }
  }

  private async notifyConfigChange(type: ConfigEntityType, name: string): Promise<void> {
    const data = ConfigEntityChangeNotificationSequenceZNode.encode(type, name);
    try {
      await this.zk.create(ConfigEntityChangeNotificationSequenceZNode.pathPrefix, data, 'persistentSequential');
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      await this.zk.createRecursive(ConfigChangesZNode.path);
      await this.zk.create(ConfigEntityChangeNotificationSequenceZNode.pathPrefix, data, 'persistentSequential');
    }
  }

  getTopicConfig(topic: string): Promise<Record<string, string>> {
    return this.readEntityConfig('topics', topic);
  }

  async setTopicConfig(topic: string, config: Record<string, string>): Promise<void> {
    await this.writeEntityConfig('topics', topic, config);
    await this.notifyConfigChange('topics', topic);
  }

  getBrokerConfig(brokerId: number | '<default>'): Promise<Record<string, string>> {
    return this.readEntityConfig('brokers', String(brokerId));
  }

  async setBrokerConfig(brokerId: number | '<default>', config: Record<string, string>): Promise<void> {
    await this.writeEntityConfig('brokers', String(brokerId), config);
    await this.notifyConfigChange('brokers', String(brokerId));
  }

  /**
   * Reports each new /config/changes notification once, in sequence order. Notifications already present
   * when subscribing are skipped: the subscriber reads current configs itself at start-up.
   */
  /**
   * Kafka's ZkNodeChangeNotificationListener.purgeObsoleteNotifications: notifications older than 15 minutes have
   * been seen by every live broker (a broker starting later reads the configs themselves) and are deleted, so
   * /config/changes does not grow without bound. Every broker does it; a node another one deleted first is fine.
   */
  private async purgeObsoleteConfigChanges(children: string[], now = Date.now()): Promise<void> {
    for (const c of children) {
      const path = `${ConfigChangesZNode.path}/${c}`;
      try {
        const stat = await this.zk.exists(path);
        if (stat && now - stat.ctime > this.configChangeExpirationMs) await this.zk.delete(path, -1);
      } catch (e) {
        if (!(e instanceof NoNodeError)) this.log.warn({ err: e, path }, 'could not purge an old config change notification');
      }
    }
  }

  onConfigChange(cb: (entityType: 'topics' | 'brokers', entityName: string) => void): Unsubscribe {
    let lastSeq: number | null = null;
    let chain = Promise.resolve();
    const processNotifications = async (): Promise<void> => {
      let children: string[];
      try {
        children = await this.zk.getChildren(ConfigChangesZNode.path);
      } catch (e) {
        if (e instanceof NoNodeError) children = [];
        else throw e;
      }
      const seqs = children
        .filter((c) => c.startsWith(ConfigChangesZNode.prefix))
        .map((c) => ({ c, seq: ConfigEntityChangeNotificationSequenceZNode.sequenceOf(c) }))
        .sort((a, b) => a.seq - b.seq);
      if (lastSeq === null) {
        lastSeq = seqs.length ? (seqs[seqs.length - 1]?.seq ?? -1) : -1;
        return;
      }
      for (const { c, seq } of seqs) {
        if (seq <= lastSeq) continue;
        lastSeq = seq;
        const path = `${ConfigChangesZNode.path}/${c}`;
        try {
          const n = ConfigEntityChangeNotificationSequenceZNode.decode(path, (await this.zk.getData(path)).data);
          if (n) this.safeCall(() => cb(n.entityType, n.name));
        } catch (e) {
          if (!(e instanceof NoNodeError)) this.log.warn({ err: e, path }, 'bad config change notification');
        }
      }
      await this.purgeObsoleteConfigChanges(seqs.map((x) => x.c));
    };
    const enqueue = (): void => {
      chain = chain.then(processNotifications).catch((e) => this.log.warn({ err: e }, 'processing config changes failed'));
    };
    // Started synchronously, so the listing (which records the current high-water sequence) is queued on
    // the session before any request the caller sends after subscribing.
    chain = processNotifications().catch((e) => this.log.warn({ err: e }, 'reading config changes failed'));
    return this.subscribe('children', ConfigChangesZNode.path, enqueue);
  }

  // ----------------------------------------------------------------------------------- partition state

  async getPartitionStates(partitions: Array<{ topic: string; partition: number }>): Promise<Map<string, LeaderIsrState>> {
    const read = await Promise.all(
      partitions.map(async ({ topic, partition }) => {
        try {
          const { data, stat } = await this.zk.getData(TopicPartitionStateZNode.path(topic, partition));
          return [key(topic, partition), TopicPartitionStateZNode.decode(topic, partition, data, stat.version)] as const;
        } catch (e) {
          if (e instanceof NoNodeError) return null;
          throw e;
        }
      }),
    );
    const out = new Map<string, LeaderIsrState>();
    for (const r of read) if (r) out.set(r[0], r[1]);
    return out;
  }

  /**
   * One fenced multi per partition, all sent at once (ZooKeeper pipelines them on the session), creating
   * .../partitions/<p> and its state. A partition whose state already exists gets a NodeExistsError.
   */
  async createPartitionStates(
    states: Array<{ topic: string; partition: number; state: Omit<LeaderIsrState, 'zkVersion'> }>,
    controllerEpochZkVersion: number,
  ): Promise<Map<string, LeaderIsrState | Error>> {
    const topics = [...new Set(states.map((s) => s.topic))];
    // A topic whose /brokers/topics/<t> is missing (deleted meanwhile) fails for each of its partitions.
    const topicErrors = new Map<string, Error>();
    await Promise.all(
      topics.map(async (t) => {
        try {
          await this.fencedMulti(controllerEpochZkVersion, [{ type: 'create', path: TopicPartitionsZNode.path(t) }]);
        } catch (e) {
          if (e instanceof NoNodeError) topicErrors.set(t, e);
          else if (!(e instanceof NodeExistsError)) throw e;
        }
      }),
    );
    const results = await Promise.all(
      states.map(async ({ topic, partition, state }): Promise<readonly [string, LeaderIsrState | Error]> => {
        const topicError = topicErrors.get(topic);
        if (topicError) return [key(topic, partition), topicError];
        const statePath = TopicPartitionStateZNode.path(topic, partition);
        const data = TopicPartitionStateZNode.encode(state);
        const created = { ...state, zkVersion: 0 };
        try {
          await this.fencedMulti(controllerEpochZkVersion, [
            { type: 'create', path: TopicPartitionZNode.path(topic, partition) },
            { type: 'create', path: statePath, data },
          ]);
          return [key(topic, partition), created];
        } catch (e) {
          if (!(e instanceof NodeExistsError) || e.opIndex !== 0) {
            if (e instanceof ControllerMovedError) throw e;
            return [key(topic, partition), e as Error];
          }
        }
        // The partition znode existed (e.g. a half-finished earlier attempt): create just the state.
        try {
          await this.fencedMulti(controllerEpochZkVersion, [{ type: 'create', path: statePath, data }]);
          return [key(topic, partition), created];
        } catch (e) {
          if (e instanceof ControllerMovedError) throw e;
          return [key(topic, partition), e as Error];
        }
      }),
    );
    return new Map(results);
  }

  async updatePartitionStates(
    updates: Array<{ topic: string; partition: number; state: LeaderIsrState }>,
    controllerEpochZkVersion: number,
  ): Promise<Map<string, LeaderIsrState | Error>> {
    const results = await Promise.all(
      updates.map(async ({ topic, partition, state }): Promise<readonly [string, LeaderIsrState | Error]> => {
        const path = TopicPartitionStateZNode.path(topic, partition);
        try {
          const r = await this.fencedMulti(controllerEpochZkVersion, [
            { type: 'setData', path, data: TopicPartitionStateZNode.encode(state), version: state.zkVersion },
          ]);
          const set = r[1];
          const zkVersion = set && set.type === 'setData' ? set.stat.version : state.zkVersion + 1;
          return [key(topic, partition), { ...state, zkVersion }];
        } catch (e) {
          if (e instanceof ControllerMovedError) throw e;
          if (e instanceof BadVersionError) return [key(topic, partition), new ZkVersionMismatchError(path)];
          return [key(topic, partition), e as Error];
        }
      }),
    );
    return new Map(results);
  }

  // ------------------------------------------------------------------------------------------ deletion

  async requestTopicDeletion(topic: string): Promise<void> {
    try {
      await this.zk.create(DeleteTopicsTopicZNode.path(topic));
    } catch (e) {
      if (e instanceof NodeExistsError) return;
      if (!(e instanceof NoNodeError)) throw e;
      await this.zk.createRecursive(DeleteTopicsTopicZNode.path(topic));
    }
  }

  async getTopicDeletions(): Promise<string[]> {
    try {
      return (await this.zk.getChildren(DeleteTopicsZNode.path)).sort();
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
  }

  onTopicDeletionsChange(cb: () => void): Unsubscribe {
    return this.subscribe('children', DeleteTopicsZNode.path, cb);
  }

  /** Lists a subtree children-first (post-order), so deleting in list order never hits NOTEMPTY. */
  private async listPostOrder(path: string): Promise<string[]> {
    let children: string[];
    try {
      children = await this.zk.getChildren(path);
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
    const below = await Promise.all(children.map((c) => this.listPostOrder(`${path}/${c}`)));
    return [...below.flat(), path];
  }

  /** Fenced delete of a subtree, in chunks that fit a multi; retried if the tree changes meanwhile. */
  private async fencedDeleteRecursive(path: string, controllerEpochZkVersion: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const nodes = await this.listPostOrder(path);
      try {
        for (let i = 0; i < nodes.length; i += MAX_OPS_PER_MULTI) {
          const chunk = nodes.slice(i, i + MAX_OPS_PER_MULTI);
          await this.fencedMulti(
            controllerEpochZkVersion,
            chunk.map((p): ZkOp => ({ type: 'delete', path: p, version: -1 })),
          );
        }
        return;
      } catch (e) {
        if (!(e instanceof NoNodeError || e instanceof NotEmptyError) || attempt >= 5) throw e;
      }
    }
  }

  private async fencedDeleteIfExists(path: string, controllerEpochZkVersion: number): Promise<void> {
    try {
      await this.fencedMulti(controllerEpochZkVersion, [{ type: 'delete', path, version: -1 }]);
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
  }

  async deleteTopicZNodes(topic: string, controllerEpochZkVersion: number): Promise<void> {
    // Kafka's order: the assignment (so the topic is gone), then its config, then the deletion request.
    await this.fencedDeleteRecursive(TopicZNode.path(topic), controllerEpochZkVersion);
    await this.fencedDeleteIfExists(ConfigEntityZNode.path('topics', topic), controllerEpochZkVersion);
    await this.fencedDeleteIfExists(DeleteTopicsTopicZNode.path(topic), controllerEpochZkVersion);
  }

  // -------------------------------------------------------------------------------------- admin requests

  async getPreferredReplicaElection(): Promise<Array<{ topic: string; partition: number }> | null> {
    try {
      return PreferredReplicaElectionZNode.decode((await this.zk.getData(PreferredReplicaElectionZNode.path)).data);
    } catch (e) {
      if (e instanceof NoNodeError) return null;
      throw e;
    }
  }

  onPreferredReplicaElection(cb: () => void): Unsubscribe {
    return this.subscribe('exists', PreferredReplicaElectionZNode.path, cb);
  }

  deletePreferredReplicaElection(controllerEpochZkVersion: number): Promise<void> {
    return this.fencedDeleteIfExists(PreferredReplicaElectionZNode.path, controllerEpochZkVersion);
  }

  async getPartitionReassignment(): Promise<Map<string, number[]> | null> {
    try {
      return ReassignPartitionsZNode.decode((await this.zk.getData(ReassignPartitionsZNode.path)).data);
    } catch (e) {
      if (e instanceof NoNodeError) return null;
      throw e;
    }
  }

  onPartitionReassignment(cb: () => void): Unsubscribe {
    return this.subscribe('exists', ReassignPartitionsZNode.path, cb);
  }

  deletePartitionReassignment(controllerEpochZkVersion: number): Promise<void> {
    return this.fencedDeleteIfExists(ReassignPartitionsZNode.path, controllerEpochZkVersion);
  }

  // ------------------------------------------------------------------------------------------- session

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.subs) s.active = false;
    this.subs.clear();
    this.reestablishedCbs.clear();
    this.expiredCbs.clear();
    await this.zk.close();
  }
}
