// The contract between Kafka-level ZooKeeper operations (src/zk) and their users (broker, controller).
// Paths and JSON follow Kafka 2.8 (DESIGN.md §3); implemented by KafkaZkClient.ts, a façade over one module per
// znode family (BrokerZk, ControllerZk, TopicZk, ConfigZk, AdminZk).

export interface EndPoint {
  host: string;
  port: number;
  listenerName: string; // e.g. PLAINTEXT
  securityProtocol: string; // e.g. PLAINTEXT
}

export interface BrokerRegistration {
  id: number;
  endpoints: EndPoint[];
  rack: string | null;
  /** Filled in on read: czxid of the /brokers/ids/<id> znode (Kafka's broker epoch). */
  epoch?: bigint;
}

export interface LeaderIsrState {
  leader: number; // -1 = none
  leaderEpoch: number;
  isr: number[];
  controllerEpoch: number;
  /** zkVersion of the partition state znode, used for conditional updates. */
  zkVersion: number;
}

export interface TopicAssignment {
  /** partition -> replicas, in preference order */
  partitions: Map<number, number[]>;
  addingReplicas: Map<number, number[]>;
  removingReplicas: Map<number, number[]>;
  /**
   * The topic id (KIP-516, "topic_id" in the znode): null when the znode has none (written by Kafka before 2.8);
   * written back with the assignment whenever set, so no writer drops it.
   */
  topicId?: string | null;
  /** Filled in on read: zkVersion of /brokers/topics/<t> (for addPartitions' expectedZkVersion). */
  zkVersion?: number;
}

export type Unsubscribe = () => void;

/** A /config/changes/config_change_<seq> notification: which entity's config changed, and when it was written. */
export interface ConfigChangeNotification {
  /** null when the content is not understood (e.g. a newer format). */
  change: { entityType: 'topics' | 'brokers'; name: string } | null;
  /** Creation time of the znode (ms since the epoch). */
  ctime: number;
}

/** Thrown by fenced writes when /controller_epoch's zkVersion no longer matches: this controller is stale. */
export class ControllerMovedError extends Error {
  constructor(message = 'controller moved: /controller_epoch zkVersion changed') {
    super(message);
    this.name = 'ControllerMovedError';
  }
}

/** Thrown when a conditional partition-state write loses the race (BADVERSION). */
export class ZkVersionMismatchError extends Error {
  constructor(public readonly path: string) {
    super(`zkVersion mismatch on ${path}`);
    this.name = 'ZkVersionMismatchError';
  }
}

/** createTopic on an existing topic; `code` is the wire error TOPIC_ALREADY_EXISTS (36). */
export class TopicAlreadyExistsError extends Error {
  readonly code = 36;
  constructor(public readonly topic: string) {
    super(`Topic '${topic}' already exists.`);
    this.name = 'TopicAlreadyExistsError';
  }
}

/** An existing topic, as createTopic reports it: TopicAlreadyExistsError, or any error carrying code 36 or named so. */
export function isTopicAlreadyExists(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as Error & { code?: unknown; errorCode?: unknown }).code ?? (err as Error & { errorCode?: unknown }).errorCode;
  return code === 36 || /TopicExists|TopicAlreadyExists/i.test(err.name);
}

export class BrokerIdAlreadyRegisteredError extends Error {
  constructor(public readonly brokerId: number) {
    super(`broker.id ${brokerId} is already registered in ZooKeeper by another live broker; pick another broker.id or stop the other broker`);
    this.name = 'BrokerIdAlreadyRegisteredError';
  }
}

/**
 * Kafka-level ZooKeeper operations. Every method that a controller uses to write is fenced with the
 * controller epoch zkVersion passed in (a multi with a check op on /controller_epoch).
 * Watch callbacks are "something changed" signals (ZooKeeper watches carry no data); the implementation
 * re-arms them itself after each firing and after session re-establishment, so a subscriber is told about
 * every change until it unsubscribes. Callbacks must only enqueue work, never block.
 */
export interface KafkaZkApi {
  // --- cluster and brokers ---
  ensureBasePaths(): Promise<void>;
  getOrCreateClusterId(proposedId: string): Promise<string>;
  /** Creates ephemeral /brokers/ids/<id>; returns the broker epoch (czxid). Re-registered automatically after session expiry. */
  registerBroker(reg: BrokerRegistration): Promise<bigint>;
  getAllBrokers(): Promise<BrokerRegistration[]>; // with epoch
  onBrokersChange(cb: () => void): Unsubscribe;

  // --- controller election ---
  getControllerId(): Promise<number | null>;
  /** Creates ephemeral /controller and bumps /controller_epoch atomically. null when someone else holds it. */
  tryElectController(brokerId: number): Promise<{ epoch: number; epochZkVersion: number } | null>;
  onControllerChange(cb: () => void): Unsubscribe;
  getControllerEpoch(): Promise<{ epoch: number; zkVersion: number } | null>;

  // --- topics ---
  getAllTopics(): Promise<string[]>;
  onTopicsChange(cb: () => void): Unsubscribe;
  getTopicAssignment(topic: string): Promise<TopicAssignment | null>;
  getTopicAssignments(topics: string[]): Promise<Map<string, TopicAssignment>>;
  onTopicAssignmentChange(topic: string, cb: () => void): Unsubscribe; // partition additions
  /**
   * Admin path (any broker): writes /config/topics/<t> then /brokers/topics/<t> with a new topic id, which it returns;
   * throws TopicExistsError-like error (code 36) if present.
   */
  createTopic(topic: string, assignment: Map<number, number[]>, config: Record<string, string>): Promise<string>;
  /** Admin path: rewrites /brokers/topics/<t> with more partitions (existing ones unchanged). */
  addPartitions(topic: string, fullAssignment: Map<number, number[]>, expectedZkVersion?: number): Promise<void>;
  setTopicAssignment(topic: string, assignment: TopicAssignment, controllerEpochZkVersion: number): Promise<void>;
  /**
   * Controller (Kafka's setTopicIds): gives each listed topic that has no id a new one, written back with its current
   * assignment, fenced; returns the id of every listed topic that still exists (existing ids are kept).
   */
  assignTopicIds(topics: string[], controllerEpochZkVersion: number): Promise<Map<string, string>>;
  getTopicConfig(topic: string): Promise<Record<string, string>>;
  setTopicConfig(topic: string, config: Record<string, string>): Promise<void>; // + /config/changes notification
  getBrokerConfig(brokerId: number | '<default>'): Promise<Record<string, string>>;
  setBrokerConfig(brokerId: number | '<default>', config: Record<string, string>): Promise<void>;
  // /config/changes/config_change_<seq>: written by setTopicConfig/setBrokerConfig; DynamicConfigManager reads them
  // in sequence order and purges old ones.
  getConfigChangeNotifications(): Promise<string[]>;
  getConfigChangeNotification(id: string): Promise<ConfigChangeNotification | null>;
  deleteConfigChangeNotification(id: string): Promise<void>;
  onConfigChangeNotifications(cb: () => void): Unsubscribe;

  // --- partition state ---
  getPartitionStates(partitions: Array<{ topic: string; partition: number }>): Promise<Map<string, LeaderIsrState>>; // key "topic-partition"
  createPartitionStates(states: Array<{ topic: string; partition: number; state: Omit<LeaderIsrState, 'zkVersion'> }>, controllerEpochZkVersion: number): Promise<Map<string, LeaderIsrState | Error>>;
  /** Conditional on each state's zkVersion; returns the new state (with new zkVersion) or ZkVersionMismatchError per partition. Throws ControllerMovedError when fenced. */
  updatePartitionStates(updates: Array<{ topic: string; partition: number; state: LeaderIsrState }>, controllerEpochZkVersion: number): Promise<Map<string, LeaderIsrState | Error>>;

  // --- deletion ---
  requestTopicDeletion(topic: string): Promise<void>; // creates /admin/delete_topics/<t>
  getTopicDeletions(): Promise<string[]>;
  onTopicDeletionsChange(cb: () => void): Unsubscribe;
  /** Removes /brokers/topics/<t> (recursively), /config/topics/<t> and /admin/delete_topics/<t>, fenced. */
  deleteTopicZNodes(topic: string, controllerEpochZkVersion: number): Promise<void>;

  // --- admin requests ---
  getPreferredReplicaElection(): Promise<Array<{ topic: string; partition: number }> | null>;
  onPreferredReplicaElection(cb: () => void): Unsubscribe;
  deletePreferredReplicaElection(controllerEpochZkVersion: number): Promise<void>;
  getPartitionReassignment(): Promise<Map<string, number[]> | null>; // /admin/reassign_partitions
  onPartitionReassignment(cb: () => void): Unsubscribe;
  deletePartitionReassignment(controllerEpochZkVersion: number): Promise<void>;

  // --- session ---
  /** Called after a NEW session is established following expiry (ephemerals re-created by the implementation first for registerBroker). */
  onSessionReestablished(cb: () => void): Unsubscribe;
  onSessionExpired(cb: () => void): Unsubscribe;
  close(): Promise<void>;
}
