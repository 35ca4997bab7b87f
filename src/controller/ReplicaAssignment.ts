// Replica placement for new topics and partitions (Kafka's AdminUtils.assignReplicasToBrokers) and the
// validation of counts, manual assignments and topic names that CreateTopics/CreatePartitions need.
import { topicNameProblem } from '../util/topicName';
import { ControllerApiError, ErrorCode } from './errors';

export interface BrokerRack {
  id: number;
  rack: string | null;
}

export interface AssignOptions {
  /** Fixed start index and replica shift (tests); negative or absent = random, as Kafka does. */
  fixedStartIndex?: number;
  /** First partition id to assign (adding partitions to an existing topic). */
  startPartitionId?: number;
  random?: () => number;
}

const randInt = (n: number, random: () => number): number => Math.floor(random() * n);

function replicaIndex(firstReplicaIndex: number, secondReplicaShift: number, replicaIdx: number, nBrokers: number): number {
  const shift = 1 + ((secondReplicaShift + replicaIdx) % (nBrokers - 1));
  return (firstReplicaIndex + shift) % nBrokers;
}

/**
 * Spreads leaders round-robin from a start index and followers at an increasing shift, so leaders and
 * followers are both even; rack-aware when every broker has a rack. Throws ControllerApiError on bad counts.
 */
export function assignReplicasToBrokers(
  nPartitions: number,
  replicationFactor: number,
  brokers: readonly BrokerRack[],
  opts: AssignOptions = {},
): Map<number, number[]> {
  if (nPartitions <= 0) throw new ControllerApiError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
  if (replicationFactor <= 0) throw new ControllerApiError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
  if (replicationFactor > brokers.length) {
    throw new ControllerApiError(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `Replication factor: ${replicationFactor} larger than available brokers: ${brokers.length}.`,
    );
  }
  const sorted = [...brokers].sort((a, b) => a.id - b.id);
  const rackAware = sorted.length > 0 && sorted.every((b) => b.rack !== null && b.rack !== '');
  return rackAware ? assignRackAware(nPartitions, replicationFactor, sorted, opts) : assignRackUnaware(nPartitions, replicationFactor, sorted.map((b) => b.id), opts);
}

function assignRackUnaware(nPartitions: number, rf: number, brokerIds: readonly number[], opts: AssignOptions): Map<number, number[]> {
  const random = opts.random ?? Math.random;
  const n = brokerIds.length;
  const fixed = opts.fixedStartIndex ?? -1;
  const startIndex = fixed >= 0 ? fixed : randInt(n, random);
  let nextReplicaShift = fixed >= 0 ? fixed : randInt(n, random);
  let partitionId = Math.max(0, opts.startPartitionId ?? 0);
  const out = new Map<number, number[]>();
  for (let i = 0; i < nPartitions; i++) {
    if (partitionId > 0 && partitionId % n === 0) nextReplicaShift += 1;
    const first = (partitionId + startIndex) % n;
    const replicas = [brokerIds[first] as number];
    for (let j = 0; j < rf - 1; j++) replicas.push(brokerIds[replicaIndex(first, nextReplicaShift, j, n)] as number);
    out.set(partitionId, replicas);
    partitionId += 1;
  }
  return out;
}

/** Brokers ordered by alternating racks (racks sorted, brokers sorted within a rack): r1b1, r2b1, r1b2, ... */
export function rackAlternatedBrokerList(brokers: readonly BrokerRack[]): number[] {
  const byRack = new Map<string, number[]>();
  for (const b of [...brokers].sort((x, y) => x.id - y.id)) {
    const rack = b.rack ?? '';
    const list = byRack.get(rack) ?? [];
    list.push(b.id);
    byRack.set(rack, list);
  }
  const racks = [...byRack.keys()].sort();
  const cursors = new Map(racks.map((r) => [r, 0]));
  const out: number[] = [];
  for (let i = 0; out.length < brokers.length; i = (i + 1) % racks.length) {
    const rack = racks[i] as string;
    const list = byRack.get(rack) as number[];
    const c = cursors.get(rack) as number;
    if (c < list.length) {
      out.push(list[c] as number);
      cursors.set(rack, c + 1);
    }
  }
  return out;
}

function assignRackAware(nPartitions: number, rf: number, brokers: readonly BrokerRack[], opts: AssignOptions): Map<number, number[]> {
  const random = opts.random ?? Math.random;
  const rackOf = new Map(brokers.map((b) => [b.id, b.rack ?? '']));
  const numRacks = new Set(rackOf.values()).size;
  const arranged = rackAlternatedBrokerList(brokers);
  const n = arranged.length;
  const fixed = opts.fixedStartIndex ?? -1;
  const startIndex = fixed >= 0 ? fixed : randInt(n, random);
  let nextReplicaShift = fixed >= 0 ? fixed : randInt(n, random);
  let partitionId = Math.max(0, opts.startPartitionId ?? 0);
  const out = new Map<number, number[]>();
  for (let i = 0; i < nPartitions; i++) {
    if (partitionId > 0 && partitionId % n === 0) nextReplicaShift += 1;
    const first = (partitionId + startIndex) % n;
    const leader = arranged[first] as number;
    const replicas = [leader];
    const racksWithReplicas = new Set([rackOf.get(leader)]);
    const brokersWithReplicas = new Set([leader]);
    let k = 0;
    for (let j = 0; j < rf - 1; j++) {
      for (;;) {
        const broker = arranged[replicaIndex(first, nextReplicaShift * numRacks, k, n)] as number;
        const rack = rackOf.get(broker);
        k += 1;
        // Prefer a rack without a replica, then a broker without one; fall back once every rack/broker has one.
        const rackOk = !racksWithReplicas.has(rack) || racksWithReplicas.size === numRacks;
        const brokerOk = !brokersWithReplicas.has(broker) || brokersWithReplicas.size === n;
        if (rackOk && brokerOk) {
          replicas.push(broker);
          racksWithReplicas.add(rack);
          brokersWithReplicas.add(broker);
          break;
        }
      }
    }
    out.set(partitionId, replicas);
    partitionId += 1;
  }
  return out;
}

/**
 * Checks a client-supplied assignment: partitions 0..n-1 (or `firstPartition`..), non-empty, no duplicate
 * replicas, one replication factor, only known brokers. Throws INVALID_REPLICA_ASSIGNMENT.
 */
export function validateManualAssignment(
  assignment: ReadonlyMap<number, readonly number[]>,
  knownBrokers: ReadonlySet<number>,
  opts: { firstPartition?: number; replicationFactor?: number } = {},
): void {
  const fail = (msg: string): never => {
    throw new ControllerApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, msg);
  };
  if (assignment.size === 0) fail('Replica assignment must not be empty.');
  const first = opts.firstPartition ?? 0;
  const ids = [...assignment.keys()].sort((a, b) => a - b);
  ids.forEach((id, i) => {
    if (id !== first + i) fail(`Partitions should be a consecutive ${first}-based integer sequence, got ${ids.join(',')}.`);
  });
  let rf = opts.replicationFactor;
  for (const [p, replicas] of assignment) {
    if (replicas.length === 0) fail(`Partition ${p} has no replicas.`);
    if (new Set(replicas).size !== replicas.length) fail(`Duplicate replica assignment found: partition ${p} -> ${replicas.join(',')}.`);
    if (rf === undefined) rf = replicas.length;
    else if (replicas.length !== rf) fail(`All partitions should have the same number of replicas (${rf}); partition ${p} has ${replicas.length}.`);
    const unknown = replicas.filter((r) => !knownBrokers.has(r));
    if (unknown.length > 0) fail(`Unknown broker(s) ${unknown.join(',')} in the assignment of partition ${p}.`);
  }
}

/** Kafka's Topic.validate; throws INVALID_TOPIC_EXCEPTION. */
export function validateTopicName(name: string): void {
  const problem = topicNameProblem(name);
  if (problem !== null) throw new ControllerApiError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
}

/** True when metric names of this topic could collide with another's ('.' and '_' map to the same name). */
export function hasCollisionChars(name: string): boolean {
  return name.includes('.') || name.includes('_');
}

/** An existing topic whose name differs from `name` only by '.' vs '_', if any. */
export function collidingTopic(name: string, existing: Iterable<string>): string | undefined {
  const norm = name.replace(/\./g, '_');
  for (const t of existing) if (t !== name && t.replace(/\./g, '_') === norm) return t;
  return undefined;
}
