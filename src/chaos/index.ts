// The chaos engine behind `brook chaos`: a local cluster of real processes, an acks=-1 workload, a seeded nemesis
// and an audit of every acknowledged record.
export { runChaos, chaosFailures, type ChaosOptions, type ChaosProgress, type ChaosReport } from './run';
export { ALL_FAULT_KINDS, COORDINATOR_FAULT_KINDS, TRANSACTIONAL_FAULT_KINDS, isFaultKind, type FaultKind } from './faults';
export type { Fault } from './nemesis';
export { runEosChaos, eosFailures, type EosChaosOptions, type EosProgress, type EosReport } from './eosRun';
