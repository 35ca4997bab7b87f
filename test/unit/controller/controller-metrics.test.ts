// The controller's event history for /controller/events (the last 200, oldest first), its election counts and the
// offline partition count the metrics read.
import { CONTROLLER_EVENTS_KEPT, ControllerMetrics, describeEvent } from '../../../src/controller/ControllerMetrics';
import { ControllerContext } from '../../../src/controller/ControllerContext';

describe('ControllerMetrics', () => {
  it(`keeps the last ${CONTROLLER_EVENTS_KEPT} events, oldest first, and tells the observer of each`, () => {
    const m = new ControllerMetrics(new ControllerContext());
    const seen: string[] = [];
    m.onEvent = (r) => seen.push(r.type);
    for (let i = 0; i < CONTROLLER_EVENTS_KEPT + 50; i++) m.recordEvent({ time: i, type: `E${i}`, detail: '', durationMs: 1 });
    const events = m.recentEvents();
    expect(events).toHaveLength(CONTROLLER_EVENTS_KEPT);
    expect(events[0]!.type).toBe('E50');
    expect(events[events.length - 1]!.type).toBe(`E${CONTROLLER_EVENTS_KEPT + 49}`);
    expect(events.map((e) => e.time)).toEqual([...events.map((e) => e.time)].sort((a, b) => a - b));
    expect(seen).toHaveLength(CONTROLLER_EVENTS_KEPT + 50);
  });

  it('counts elected partitions per pass and observes passes that elected any', () => {
    const m = new ControllerMetrics(new ControllerContext());
    const passes: Array<[number, number]> = [];
    m.onElection = (ms, n) => passes.push([ms, n]);
    m.recordElections(5, 3);
    m.recordElections(7, 0);
    m.recordElections(2, 1);
    expect(m.leaderElections).toBe(4);
    expect(passes).toEqual([[5, 3], [2, 1]]);
  });

  it('offline partitions exclude topics queued for deletion', () => {
    const ctx = new ControllerContext();
    ctx.setPartitionState({ topic: 'a', partition: 0 }, 'OfflinePartition');
    ctx.setPartitionState({ topic: 'a', partition: 1 }, 'OnlinePartition');
    ctx.setPartitionState({ topic: 'gone', partition: 0 }, 'OfflinePartition');
    ctx.topicsToBeDeleted.add('gone');
    expect(new ControllerMetrics(ctx).offlinePartitionCount()).toBe(1);
  });

  it('describes an event by its subject', () => {
    expect(describeEvent({ type: 'ApiCall', name: 'CreateTopics' } as { type: string })).toBe('CreateTopics');
    expect(describeEvent({ type: 'PartitionModifications', topic: 'orders' } as { type: string })).toBe('topic orders');
    expect(describeEvent({ type: 'StopReplicaResponse', brokerId: 2 } as { type: string })).toBe('broker 2');
    expect(describeEvent({ type: 'ReassignmentIsrChange', partitions: [1, 2] } as { type: string })).toBe('2 partition(s)');
    expect(describeEvent({ type: 'BrokerChange' })).toBe('');
  });
});
