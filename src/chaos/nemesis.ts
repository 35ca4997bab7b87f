// The nemesis: draws faults with a seeded PRNG and injects them into a local cluster — kill -9 of a partition
// leader, a follower or the controller (restarted once its registration expired), SIGSTOP past the ZooKeeper
// session then SIGCONT, a clean restart (controlled shutdown), a ZooKeeper restart.
import type { BrokerProcess, LocalCluster } from './cluster';
import { partitionView } from './inspect';
import { moduleLogger } from '../util/logger';
import { TRANSACTIONAL_FAULT_KINDS, type FaultKind } from './faults';

const log = moduleLogger('chaos-nemesis');

const WEIGHTS: Record<FaultKind, number> = { 'kill-leader': 3, 'kill-follower': 2, 'kill-controller': 2, pause: 2, 'zk-restart': 1, restart: 1, 'kill-txn-coordinator': 3, 'kill-group-coordinator': 2 };

/** Where the coordinators of a transactional run are (broker ids), for the coordinator kinds; null when unknown. */
export interface CoordinatorLookup {
  transactionCoordinator(random: () => number): Promise<{ brokerId: number; transactionalId: string } | null>;
  groupCoordinator(): Promise<{ brokerId: number; group: string } | null>;
}

export interface Fault {
  kind: FaultKind;
  /** 'broker 2' or 'zookeeper'. */
  target: string;
  /** What happened, e.g. 'leader of chaos-1; registration expired after 4.2 s; restarted'. */
  detail: string;
}

/** Small deterministic PRNG (xorshift32) so that a run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

export function pickFault(random: () => number, index: number, allowed: readonly FaultKind[]): FaultKind {
  const kinds = TRANSACTIONAL_FAULT_KINDS.filter((k) => allowed.includes(k));
  if (index < kinds.length) return kinds[index] as FaultKind;
  let x = random() * kinds.reduce((s, k) => s + WEIGHTS[k], 0);
  for (const k of kinds) {
    if ((x -= WEIGHTS[k]) < 0) return k;
  }
  return kinds[0] ?? 'kill-leader';
}

/** Injects one fault and waits until the target is back (registered and listening); the topic names "leader of". */
export async function injectFault(cluster: LocalCluster, kind: FaultKind, random: () => number, topic: string, partitions: number, coordinators?: CoordinatorLookup): Promise<Fault> {
  if (kind === 'zk-restart') {
    log.info('restarting ZooKeeper');
    await cluster.zk.restart();
    return { kind, target: 'zookeeper', detail: 'stopped and started on the same data' };
  }
  const { broker: b, role } = await pickBroker(cluster, kind, random, topic, partitions, coordinators);
  const sessionMs = cluster.sessionTimeoutMs;
  log.info({ kind, brokerId: b.id, role }, 'injecting fault');
  if (kind === 'pause') {
    const ms = sessionMs + 1500;
    b.pause();
    await new Promise((r) => setTimeout(r, ms));
    b.resume();
    return { kind, target: `broker ${b.id}`, detail: `${role}; SIGSTOP for ${ms} ms (session ${sessionMs} ms), SIGCONT` };
  }
  if (kind === 'restart') {
    const t0 = Date.now();
    await b.stop();
    const took = `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    const how = b.exitSignal === 'SIGKILL' ? 'shutdown did not finish in 30 s, killed' : b.exitCode === 0 ? `SIGTERM, shut down in ${took}` : `SIGTERM, exited with code ${b.exitCode ?? b.exitSignal} after ${took}`;
    // A broker killed (or failed) before it closed its ZooKeeper session leaves its registration until the session expires.
    if (b.exitCode !== 0) await b.waitUnregistered(sessionMs * 3 + 10_000);
    await b.start();
    return { kind, target: `broker ${b.id}`, detail: `${role}; ${how}; started` };
  }
  const t0 = Date.now();
  await b.killAndWait();
  // Its registration must expire first (as with Kafka, the same broker.id cannot register twice).
  await b.waitUnregistered(sessionMs * 3 + 10_000);
  const expiredMs = Date.now() - t0;
  await new Promise((r) => setTimeout(r, Math.floor(random() * 1000)));
  await b.start();
  return { kind, target: `broker ${b.id}`, detail: `${role}; kill -9, registration gone after ${(expiredMs / 1000).toFixed(1)} s, restarted` };
}

async function pickBroker(cluster: LocalCluster, kind: FaultKind, random: () => number, topic: string, partitions: number, coordinators?: CoordinatorLookup): Promise<{ broker: BrokerProcess; role: string }> {
  const p = Math.floor(random() * partitions);
  if (kind === 'kill-txn-coordinator') {
    const c = await coordinators?.transactionCoordinator(random);
    if (c && cluster.brokers.get(c.brokerId)) return { broker: cluster.broker(c.brokerId), role: `transaction coordinator of ${c.transactionalId}` };
  }
  if (kind === 'kill-group-coordinator') {
    const c = await coordinators?.groupCoordinator();
    if (c && cluster.brokers.get(c.brokerId)) return { broker: cluster.broker(c.brokerId), role: `coordinator of group ${c.group}` };
  }
  if (kind === 'kill-controller') {
    const id = await (await cluster.zkClient()).getControllerId().catch(() => null);
    if (id !== null && cluster.brokers.get(id)) return { broker: cluster.broker(id), role: 'controller' };
  }
  const v = await partitionView(cluster, topic, p);
  if (v && v.leader >= 0 && cluster.brokers.has(v.leader)) {
    if (kind !== 'kill-follower') return { broker: cluster.broker(v.leader), role: `leader of ${topic}-${p}` };
    const followers = v.replicas.filter((r) => r !== v.leader && cluster.brokers.has(r));
    const f = followers[Math.floor(random() * followers.length)];
    if (f !== undefined) return { broker: cluster.broker(f), role: `follower of ${topic}-${p}` };
  }
  const all = [...cluster.brokers.values()];
  return { broker: all[Math.floor(random() * all.length)] as BrokerProcess, role: 'a random broker (no leader known)' };
}
