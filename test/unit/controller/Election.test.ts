// Table tests of the leader election rules.
import {
  controlledShutdownPartitionLeaderElection,
  offlinePartitionLeaderElection,
  preferredReplicaPartitionLeaderElection,
  reassignPartitionLeaderElection,
} from '../../../src/controller/Election';

const liveOf = (ids: number[]) => (id: number) => ids.includes(id);

describe('offline partition leader election', () => {
  test.each([
    // assignment, isr, live, unclean, leader, isr after, unclean?
    [[1, 2, 3], [1, 2, 3], [1, 2, 3], false, 1, [1, 2, 3], false],
    [[1, 2, 3], [1, 2, 3], [2, 3], false, 2, [2, 3], false],
    [[1, 2, 3], [3, 2], [2, 3], false, 2, [3, 2], false], // assignment order, not ISR order
    [[1, 2, 3], [1], [2, 3], false, null, [], false], // only ISR member dead, unclean off
    [[1, 2, 3], [1], [2, 3], true, 2, [2], true], // unclean: first live assigned replica
    [[1, 2, 3], [1], [], true, null, [], false], // nobody alive
    [[3, 1], [1, 3], [1, 3], false, 3, [1, 3], false],
  ])('assignment %j isr %j live %j unclean=%s -> leader %s isr %j', (assignment, isr, live, unclean, leader, newIsr, wasUnclean) => {
    const r = offlinePartitionLeaderElection({ assignment, isr }, liveOf(live), unclean);
    expect(r.leader).toBe(leader);
    expect(r.isr).toEqual(newIsr);
    expect(r.unclean).toBe(wasUnclean);
  });
});

describe('preferred replica election', () => {
  test.each([
    [[1, 2, 3], [1, 2, 3], [1, 2, 3], 1],
    [[1, 2, 3], [2, 3], [1, 2, 3], null], // preferred not in ISR
    [[1, 2, 3], [1, 2, 3], [2, 3], null], // preferred dead
    [[], [], [], null],
  ])('assignment %j isr %j live %j -> %s', (assignment, isr, live, leader) => {
    const r = preferredReplicaPartitionLeaderElection({ assignment, isr }, liveOf(live));
    expect(r.leader).toBe(leader);
    if (leader !== null) expect(r.isr).toEqual(isr);
  });
});

describe('controlled shutdown election', () => {
  test.each([
    [[1, 2, 3], [1, 2, 3], [1, 2, 3], [1], 2, [2, 3]],
    [[1, 2, 3], [1, 3], [1, 2, 3], [1], 3, [3]],
    [[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2], 3, [3]],
    [[1, 2], [1], [1, 2], [1], null, []], // only the shutting-down broker is in the ISR
    [[1, 2, 3], [1, 2, 3], [1, 3], [1], 3, [2, 3]], // dead 2 skipped as leader; ISR cleanup is the failure path's job
  ])('assignment %j isr %j live %j shutting %j -> %s isr %j', (assignment, isr, live, shutting, leader, newIsr) => {
    const r = controlledShutdownPartitionLeaderElection({ assignment, isr }, liveOf(live), liveOf(shutting));
    expect(r.leader).toBe(leader);
    if (leader !== null) expect(r.isr).toEqual(newIsr);
  });
});

describe('reassignment election', () => {
  test.each([
    [[4, 5, 6], [4, 5, 6, 1], [4, 5, 6], 4],
    [[4, 5, 6], [5, 6], [4, 5, 6], 5],
    [[4, 5, 6], [1, 2], [1, 2, 4, 5, 6], null],
  ])('target %j isr %j live %j -> %s', (target, isr, live, leader) => {
    const r = reassignPartitionLeaderElection(target, isr, liveOf(live));
    expect(r.leader).toBe(leader);
    if (leader !== null) expect(r.isr).toEqual(isr);
  });
});
