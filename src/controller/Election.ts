// Leader election rules as pure functions (Kafka's Election / PartitionLeaderElectionAlgorithms).

/** Who may lead: a predicate over broker ids (live and, where it matters, not shutting down). */
export type IsEligible = (brokerId: number) => boolean;

export interface ElectionInput {
  /** Replicas in preference order (the assignment). */
  readonly assignment: readonly number[];
  readonly isr: readonly number[];
}

export interface ElectionOutcome {
  /** The new leader, or null when no replica is eligible. */
  readonly leader: number | null;
  readonly isr: readonly number[];
  /** True when the leader came from outside the ISR (may lose data). */
  readonly unclean: boolean;
}

const NONE: ElectionOutcome = { leader: null, isr: [], unclean: false };

/**
 * Offline partition: the first live replica of the ISR in assignment order; when none is left and unclean
 * election is enabled, the first live replica of the assignment with ISR = [leader].
 */
export function offlinePartitionLeaderElection(
  input: ElectionInput,
  isLive: IsEligible,
  uncleanLeaderElectionEnable: boolean,
): ElectionOutcome {
  const clean = input.assignment.find((r) => isLive(r) && input.isr.includes(r));
  if (clean !== undefined) {
    return { leader: clean, isr: input.isr.filter((r) => isLive(r)), unclean: false };
  }
  if (uncleanLeaderElectionEnable) {
    const unclean = input.assignment.find((r) => isLive(r));
    if (unclean !== undefined) return { leader: unclean, isr: [unclean], unclean: true };
  }
  return NONE;
}

/** Reassignment: the first live ISR member of the target replica list; the ISR is unchanged. */
export function reassignPartitionLeaderElection(
  targetReplicas: readonly number[],
  isr: readonly number[],
  isLive: IsEligible,
): ElectionOutcome {
  const leader = targetReplicas.find((r) => isLive(r) && isr.includes(r));
  return leader === undefined ? NONE : { leader, isr: [...isr], unclean: false };
}

/** Preferred: the first assigned replica, only if it is live and in the ISR; the ISR is unchanged. */
export function preferredReplicaPartitionLeaderElection(input: ElectionInput, isLive: IsEligible): ElectionOutcome {
  const preferred = input.assignment[0];
  if (preferred === undefined || !isLive(preferred) || !input.isr.includes(preferred)) return NONE;
  return { leader: preferred, isr: [...input.isr], unclean: false };
}

/**
 * Controlled shutdown: the first live ISR replica (in assignment order) that is not shutting down; the
 * shutting-down brokers leave the ISR.
 */
export function controlledShutdownPartitionLeaderElection(
  input: ElectionInput,
  isLive: IsEligible,
  isShuttingDown: IsEligible,
): ElectionOutcome {
  const leader = input.assignment.find((r) => isLive(r) && !isShuttingDown(r) && input.isr.includes(r));
  if (leader === undefined) return NONE;
  return { leader, isr: input.isr.filter((r) => !isShuttingDown(r)), unclean: false };
}
