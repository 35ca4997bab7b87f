// The nemesis's fault kinds, apart from its code so that the command line can list them without loading the engine.

export type FaultKind = 'kill-leader' | 'kill-follower' | 'kill-controller' | 'pause' | 'restart' | 'zk-restart' | 'kill-txn-coordinator' | 'kill-group-coordinator';

/**
 * Every kind, in the order in which the first faults cover each allowed kind once (then the draw is random).
 * ZooKeeper restart comes before the first pause: a broker whose session expired once was seen not to re-register
 * after a later ZooKeeper restart.
 */
export const ALL_FAULT_KINDS: readonly FaultKind[] = ['kill-leader', 'kill-follower', 'kill-controller', 'zk-restart', 'pause', 'restart'];

/**
 * The kinds of a transactional run (`--transactional`): kill -9 of the transaction coordinator of a worker's
 * transactional id and of the consumer group's coordinator first, then the others.
 */
export const TRANSACTIONAL_FAULT_KINDS: readonly FaultKind[] = ['kill-txn-coordinator', 'kill-group-coordinator', ...ALL_FAULT_KINDS];

/** Kinds that need the coordinators of a transactional run. */
export const COORDINATOR_FAULT_KINDS: readonly FaultKind[] = ['kill-txn-coordinator', 'kill-group-coordinator'];

export function isFaultKind(s: string): s is FaultKind {
  return (TRANSACTIONAL_FAULT_KINDS as readonly string[]).includes(s);
}
