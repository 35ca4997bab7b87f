// The nemesis's fault kinds, apart from its code so that the command line can list them without loading the engine.

export type FaultKind = 'kill-leader' | 'kill-follower' | 'kill-controller' | 'pause' | 'restart' | 'zk-restart';

/**
 * Every kind, in the order in which the first faults cover each allowed kind once (then the draw is random).
 * ZooKeeper restart comes before the first pause: a broker whose session expired once was seen not to re-register
 * after a later ZooKeeper restart.
 */
export const ALL_FAULT_KINDS: readonly FaultKind[] = ['kill-leader', 'kill-follower', 'kill-controller', 'zk-restart', 'pause', 'restart'];

export function isFaultKind(s: string): s is FaultKind {
  return (ALL_FAULT_KINDS as readonly string[]).includes(s);
}
