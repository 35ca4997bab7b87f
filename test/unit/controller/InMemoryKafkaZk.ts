// An in-memory KafkaZkApi for controller tests: zkVersions, epoch fencing and watches, one shared "server"
// with a session per controller so elections, failovers and expiry can be simulated without ZooKeeper.
// test/contract/kafkaZkContract.ts runs the same cases against it and against KafkaZkClient on a real ZooKeeper.
import {
  BrokerIdAlreadyRegisteredError,
  ControllerMovedError,
  TopicAlreadyExistsError,
  ZkVersionMismatchError,
  type BrokerRegistration,
  type ConfigChangeNotification,
  type KafkaZkApi,
  type LeaderIsrState,
  type TopicAssignment,
  type Unsubscribe,
} from '../../../src/zk/api';

import { randomUuid } from '../../../src/util/uuid';

type Listener = () => void;

class Topic {
  /** zkVersion of /brokers/topics/<t>. */
  zkVersion = 0;
  constructor(
    public partitions: Map<number, number[]>,
    public states = new Map<number, LeaderIsrState>(),
    public addingReplicas = new Map<number, number[]>(),
    public removingReplicas = new Map<number, number[]>(),
    /** "topic_id" of the znode; null as written by Kafka before 2.8. */
    public topicId: string | null = null,
  ) {}
}

/** Thrown where ZooKeeper would answer NO_NODE. */
const noNode = (path: string): Error => new Error(`ZooKeeper NO_NODE on ${path}`);

export class InMemoryZkServer {
  brokers = new Map<number, BrokerRegistration>();
  topics = new Map<string, Topic>();
  deletions = new Set<string>();
  preferred: Array<{ topic: string; partition: number }> | null = null;
  /** /admin/reassign_partitions ("topic-partition" -> target replicas), null when absent. */
  reassignment: Map<string, number[]> | null = null;
  controller: { brokerId: number; session: InMemoryKafkaZk } | null = null;
  /** /controller_epoch: absent (epoch and zkVersion 0) until the first election. */
  controllerEpoch = 0;
  epochZkVersion = 0;
  clusterId: string | null = null;
  /** /config/<type>/<name>, keyed "<type>/<name>" (as the change notification's entity_path). */
  readonly configs = new Map<string, Record<string, string>>();
  /** /config/changes/config_change_<seq>, by child name. */
  readonly configChanges = new Map<string, ConfigChangeNotification>();
  private configChangeSeq = 0;
  /** Which session registered each broker (the ephemeral's owner); brokers added by tests have none. */
  readonly brokerOwners = new Map<number, InMemoryKafkaZk>();
  private zxid = 100n;
  /** Number of fenced writes refused (a resigned controller must not write). */
  fencedWrites = 0;
  /** Partition keys whose next conditional write fails with a version mismatch (after bumping the version). */
  readonly raceNextWrite = new Set<string>();
  /** Topics whose partition state znodes cannot be created (a ZooKeeper failure). */
  readonly failStateCreation = new Set<string>();

  private listeners = new Map<string, Set<Listener>>();

  listen(channel: string, cb: Listener): Unsubscribe {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    const entry: Listener = () => cb();
    set.add(entry);
    return () => set?.delete(entry);
  }
  fire(channel: string): void {
    for (const cb of [...(this.listeners.get(channel) ?? [])]) cb();
  }

  session(): InMemoryKafkaZk {
    return new InMemoryKafkaZk(this);
  }

  // --- test helpers ---
  addBroker(id: number, rack: string | null = null): bigint {
    const epoch = ++this.zxid;
    this.brokers.set(id, { id, endpoints: [{ host: '127.0.0.1', port: 9090 + id, listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT' }], rack, epoch });
    this.fire('brokers');
    return epoch;
  }
  /** Creates /admin/preferred_replica_election (what the admin tool writes). */
  requestPreferredReplicaElection(partitions: Array<{ topic: string; partition: number }>): void {
    this.preferred = partitions.map((p) => ({ ...p }));
    this.fire('preferred');
  }
  topicConfig(topic: string): Record<string, string> | undefined {
    return this.configs.get(`topics/${topic}`);
  }
  /** Writes /config/<type>/<name> and, unless `notify` is false, a /config/changes notification. */
  setConfig(entityType: 'topics' | 'brokers', name: string, config: Record<string, string>, notify = true): void {
    this.configs.set(`${entityType}/${name}`, { ...config });
    if (!notify) return;
    const id = `config_change_${String(this.configChangeSeq++).padStart(10, '0')}`;
    this.configChanges.set(id, { change: { entityType, name }, ctime: Date.now() });
    this.fire('configChanges');
  }
  /** Creates /admin/reassign_partitions (the legacy reassignment request). */
  requestReassignment(r: Map<string, number[]>): void {
    this.reassignment = new Map(r);
    this.fire('reassign');
  }
  removeBroker(id: number): void {
    this.brokers.delete(id);
    this.brokerOwners.delete(id);
    this.fire('brokers');
  }
  /** A session ended: its ephemerals (/brokers/ids/<id>, /controller) go, and watchers are told. */
  dropEphemerals(session: InMemoryKafkaZk): void {
    for (const [id, owner] of [...this.brokerOwners]) if (owner === session) this.removeBroker(id);
    if (this.controller?.session === session) {
      this.controller = null;
      this.fire('controller');
    }
  }
  /** Broker restarted faster than anyone noticed: same id, new epoch. */
  bounceBroker(id: number): bigint {
    const b = this.brokers.get(id);
    if (!b) throw new Error(`no broker ${id}`);
    const epoch = ++this.zxid;
    this.brokers.set(id, { ...b, epoch });
    this.fire('brokers');
    return epoch;
  }
  /** Another controller takes over behind the current one's back (as after a long pause). */
  stealController(brokerId: number): void {
    this.controller = { brokerId, session: new InMemoryKafkaZk(this) };
    this.controllerEpoch += 1;
    this.epochZkVersion += 1;
    this.fire('controller');
  }
  state(topic: string, partition: number): LeaderIsrState | undefined {
    return this.topics.get(topic)?.states.get(partition);
  }
  /** A topic as some earlier writer left it: without a topic id unless one is given. */
  putTopic(topic: string, partitions: Map<number, number[]>, states?: Map<number, Omit<LeaderIsrState, 'zkVersion'>>, topicId: string | null = null): void {
    const t = new Topic(partitions);
    t.topicId = topicId;
    for (const [p, s] of states ?? []) t.states.set(p, { ...s, zkVersion: 0 });
    this.topics.set(topic, t);
    this.fire('topics');
  }
  checkEpoch(v: number): void {
    if (v !== this.epochZkVersion) {
      this.fencedWrites += 1;
      throw new ControllerMovedError();
    }
  }
  nextZxid(): bigint {
    return ++this.zxid;
  }
}

export class InMemoryKafkaZk implements KafkaZkApi {
  private expiredListeners = new Set<Listener>();
  private reestablishedListeners = new Set<Listener>();
  constructor(private readonly s: InMemoryZkServer) {}

  private expired = false;
  private registration: BrokerRegistration | null = null;

  /** Session expiry: this client is told, and its ephemerals (/controller, its broker) disappear for everyone. */
  expire(): void {
    this.expired = true;
    for (const cb of [...this.expiredListeners]) cb();
    this.s.dropEphemerals(this);
  }
  /** A new session: the broker registration comes back (a new epoch) before the listeners hear of it. */
  reestablish(): void {
    this.expired = false;
    if (this.registration) this.doRegisterBroker(this.registration);
    for (const cb of [...this.reestablishedListeners]) cb();
  }

  async ensureBasePaths(): Promise<void> {}
  async getOrCreateClusterId(proposedId: string): Promise<string> {
    this.s.clusterId ??= proposedId;
    return this.s.clusterId;
  }
  async registerBroker(reg: BrokerRegistration): Promise<bigint> {
    const epoch = this.doRegisterBroker(reg);
    this.registration = reg;
    return epoch;
  }
  private doRegisterBroker(reg: BrokerRegistration): bigint {
    const existing = this.s.brokers.get(reg.id);
    if (existing) {
      // Ours from this session is fine; anyone else's (a test's addBroker included) is a live broker with that id.
      if (this.s.brokerOwners.get(reg.id) !== this) throw new BrokerIdAlreadyRegisteredError(reg.id);
      return existing.epoch as bigint;
    }
    const epoch = this.s.nextZxid();
    this.s.brokers.set(reg.id, { ...reg, epoch });
    this.s.brokerOwners.set(reg.id, this);
    this.s.fire('brokers');
    return epoch;
  }
  async getAllBrokers(): Promise<BrokerRegistration[]> {
    return [...this.s.brokers.values()].map((b) => ({ ...b })).sort((a, b) => a.id - b.id);
  }
  onBrokersChange(cb: () => void): Unsubscribe {
    return this.s.listen('brokers', cb);
  }

  async getControllerId(): Promise<number | null> {
    return this.s.controller?.brokerId ?? null;
  }
  async tryElectController(brokerId: number): Promise<{ epoch: number; epochZkVersion: number } | null> {
    if (this.expired) throw new Error('SESSION_EXPIRED');
    if (this.s.controller) return null;
    this.s.controller = { brokerId, session: this };
    this.s.controllerEpoch += 1;
    this.s.epochZkVersion += 1;
    this.s.fire('controller');
    return { epoch: this.s.controllerEpoch, epochZkVersion: this.s.epochZkVersion };
  }
  onControllerChange(cb: () => void): Unsubscribe {
    return this.s.listen('controller', cb);
  }
  async getControllerEpoch(): Promise<{ epoch: number; zkVersion: number } | null> {
    if (this.s.controllerEpoch === 0 && this.s.epochZkVersion === 0) return null;
    return { epoch: this.s.controllerEpoch, zkVersion: this.s.epochZkVersion };
  }

  async getAllTopics(): Promise<string[]> {
    return [...this.s.topics.keys()].sort();
  }
  onTopicsChange(cb: () => void): Unsubscribe {
    return this.s.listen('topics', cb);
  }
  async getTopicAssignment(topic: string): Promise<TopicAssignment | null> {
    const t = this.s.topics.get(topic);
    if (!t) return null;
    const copy = (m: Map<number, number[]>): Map<number, number[]> => new Map([...m].map(([p, r]) => [p, [...r]]));
    return { partitions: copy(t.partitions), addingReplicas: copy(t.addingReplicas), removingReplicas: copy(t.removingReplicas), topicId: t.topicId, zkVersion: t.zkVersion };
  }
  async getTopicAssignments(topics: string[]): Promise<Map<string, TopicAssignment>> {
    const out = new Map<string, TopicAssignment>();
    for (const t of topics) {
      const a = await this.getTopicAssignment(t);
      if (a) out.set(t, a);
    }
    return out;
  }
  onTopicAssignmentChange(topic: string, cb: () => void): Unsubscribe {
    return this.s.listen(`assignment:${topic}`, cb);
  }
  /** As Kafka's admin path: the config is written without a change notification, then the assignment. */
  async createTopic(topic: string, assignment: Map<number, number[]>, config: Record<string, string>): Promise<string> {
    if (this.s.topics.has(topic)) throw new TopicAlreadyExistsError(topic);
    this.s.setConfig('topics', topic, config, false);
    const topicId = randomUuid();
    this.s.topics.set(topic, new Topic(new Map(assignment), undefined, undefined, undefined, topicId));
    this.s.fire('topics');
    this.s.fire(`assignment:${topic}`);
    return topicId;
  }
  /** Existing partitions keep their replicas; conditional on the assignment's zkVersion when one is given. */
  async addPartitions(topic: string, fullAssignment: Map<number, number[]>, expectedZkVersion?: number): Promise<void> {
    const t = this.s.topics.get(topic);
    if (!t) throw noNode(`/brokers/topics/${topic}`);
    if (expectedZkVersion !== undefined && expectedZkVersion !== t.zkVersion) throw new ZkVersionMismatchError(`/brokers/topics/${topic}`);
    const partitions = new Map(t.partitions);
    for (const [p, replicas] of fullAssignment) if (!partitions.has(p)) partitions.set(p, [...replicas]);
    t.partitions = new Map([...partitions].sort((a, b) => a[0] - b[0]));
    t.zkVersion += 1;
    this.s.fire(`assignment:${topic}`);
  }
  async setTopicAssignment(topic: string, assignment: TopicAssignment, v: number): Promise<void> {
    this.s.checkEpoch(v);
    const t = this.s.topics.get(topic);
    if (!t) throw noNode(`/brokers/topics/${topic}`);
    t.partitions = new Map(assignment.partitions);
    t.addingReplicas = new Map(assignment.addingReplicas);
    t.removingReplicas = new Map(assignment.removingReplicas);
    // As TopicZNode.encode: the znode keeps an id only when the writer passes it.
    t.topicId = assignment.topicId ?? null;
    t.zkVersion += 1;
    this.s.fire(`assignment:${topic}`);
  }
  /** Gives topics without an id a new one; the znode changes (zkVersion bump) as a setData would. */
  async assignTopicIds(topics: string[], v: number): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const topic of topics) {
      const t = this.s.topics.get(topic);
      if (!t) continue;
      if (t.topicId === null) {
        this.s.checkEpoch(v);
        t.topicId = randomUuid();
        t.zkVersion += 1;
        this.s.fire(`assignment:${topic}`);
      }
      out.set(topic, t.topicId);
    }
    return out;
  }
  async getTopicConfig(topic: string): Promise<Record<string, string>> {
    return { ...(this.s.configs.get(`topics/${topic}`) ?? {}) };
  }
  async setTopicConfig(topic: string, config: Record<string, string>): Promise<void> {
    this.s.setConfig('topics', topic, config);
  }
  async getBrokerConfig(brokerId: number | '<default>'): Promise<Record<string, string>> {
    return { ...(this.s.configs.get(`brokers/${brokerId}`) ?? {}) };
  }
  async setBrokerConfig(brokerId: number | '<default>', config: Record<string, string>): Promise<void> {
    this.s.setConfig('brokers', String(brokerId), config);
  }
  async getConfigChangeNotifications(): Promise<string[]> {
    return [...this.s.configChanges.keys()];
  }
  async getConfigChangeNotification(id: string): Promise<ConfigChangeNotification | null> {
    const n = this.s.configChanges.get(id);
    return n ? { change: n.change && { ...n.change }, ctime: n.ctime } : null;
  }
  async deleteConfigChangeNotification(id: string): Promise<void> {
    if (this.s.configChanges.delete(id)) this.s.fire('configChanges');
  }
  onConfigChangeNotifications(cb: () => void): Unsubscribe {
    return this.s.listen('configChanges', cb);
  }

  async getPartitionStates(partitions: Array<{ topic: string; partition: number }>): Promise<Map<string, LeaderIsrState>> {
    const out = new Map<string, LeaderIsrState>();
    for (const { topic, partition } of partitions) {
      const s = this.s.state(topic, partition);
      if (s) out.set(`${topic}-${partition}`, { ...s, isr: [...s.isr] });
    }
    return out;
  }
  async createPartitionStates(
    states: Array<{ topic: string; partition: number; state: Omit<LeaderIsrState, 'zkVersion'> }>,
    v: number,
  ): Promise<Map<string, LeaderIsrState | Error>> {
    this.s.checkEpoch(v);
    const out = new Map<string, LeaderIsrState | Error>();
    for (const { topic, partition, state } of states) {
      const t = this.s.topics.get(topic);
      const key = `${topic}-${partition}`;
      if (!t || this.s.failStateCreation.has(topic)) out.set(key, new Error(`cannot create state of ${key}`));
      else if (t.states.has(partition)) out.set(key, new Error(`NODE_EXISTS ${key}`));
      else {
        const s = { ...state, isr: [...state.isr], zkVersion: 0 };
        t.states.set(partition, s);
        out.set(key, { ...s, isr: [...s.isr] });
      }
    }
    return out;
  }
  async updatePartitionStates(
    updates: Array<{ topic: string; partition: number; state: LeaderIsrState }>,
    v: number,
  ): Promise<Map<string, LeaderIsrState | Error>> {
    this.s.checkEpoch(v);
    const out = new Map<string, LeaderIsrState | Error>();
    for (const { topic, partition, state } of updates) {
      const key = `${topic}-${partition}`;
      const path = `/brokers/topics/${topic}/partitions/${partition}/state`;
      const t = this.s.topics.get(topic);
      const cur = t?.states.get(partition);
      if (!t || !cur) {
        out.set(key, new Error(`NO_NODE ${path}`));
        continue;
      }
      if (this.s.raceNextWrite.delete(key)) cur.zkVersion += 1; // someone else wrote first
      if (cur.zkVersion !== state.zkVersion) {
        out.set(key, new ZkVersionMismatchError(path));
        continue;
      }
      const next = { ...state, isr: [...state.isr], zkVersion: cur.zkVersion + 1 };
      t.states.set(partition, next);
      out.set(key, { ...next, isr: [...next.isr] });
    }
    return out;
  }

  async requestTopicDeletion(topic: string): Promise<void> {
    this.s.deletions.add(topic);
    this.s.fire('deletions');
  }
  async getTopicDeletions(): Promise<string[]> {
    return [...this.s.deletions].sort();
  }
  onTopicDeletionsChange(cb: () => void): Unsubscribe {
    return this.s.listen('deletions', cb);
  }
  async deleteTopicZNodes(topic: string, v: number): Promise<void> {
    this.s.checkEpoch(v);
    const existed = this.s.topics.delete(topic);
    this.s.configs.delete(`topics/${topic}`);
    this.s.deletions.delete(topic);
    this.s.fire('deletions');
    if (existed) {
      this.s.fire('topics');
      this.s.fire(`assignment:${topic}`);
    }
  }

  async getPreferredReplicaElection(): Promise<Array<{ topic: string; partition: number }> | null> {
    return this.s.preferred ? [...this.s.preferred] : null;
  }
  onPreferredReplicaElection(cb: () => void): Unsubscribe {
    return this.s.listen('preferred', cb);
  }
  async deletePreferredReplicaElection(v: number): Promise<void> {
    this.s.checkEpoch(v);
    const existed = this.s.preferred !== null;
    this.s.preferred = null;
    if (existed) this.s.fire('preferred');
  }
  async getPartitionReassignment(): Promise<Map<string, number[]> | null> {
    return this.s.reassignment ? new Map(this.s.reassignment) : null;
  }
  onPartitionReassignment(cb: () => void): Unsubscribe {
    return this.s.listen('reassign', cb);
  }
  async deletePartitionReassignment(v: number): Promise<void> {
    this.s.checkEpoch(v);
    const existed = this.s.reassignment !== null;
    this.s.reassignment = null;
    if (existed) this.s.fire('reassign');
  }

  onSessionReestablished(cb: () => void): Unsubscribe {
    this.reestablishedListeners.add(cb);
    return () => this.reestablishedListeners.delete(cb);
  }
  onSessionExpired(cb: () => void): Unsubscribe {
    this.expiredListeners.add(cb);
    return () => this.expiredListeners.delete(cb);
  }
  /** Ending the session removes its ephemerals at once, as ZooKeeper does on a clean close. */
  async close(): Promise<void> {
    this.registration = null;
    this.s.dropEphemerals(this);
  }
}
