// SharedExclusiveLock: shared holders overlap, exclusive holders run alone, FIFO so writers are not starved.
import { SharedExclusiveLock } from '../../../src/util/AsyncLock';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('SharedExclusiveLock', () => {
  it('lets shared holders overlap and makes an exclusive request wait for all of them', async () => {
    const lock = new SharedExclusiveLock();
    const a = deferred();
    const b = deferred();
    const events: string[] = [];
    const s1 = lock.withShared(async () => { events.push('s1'); await a.promise; events.push('s1 end'); });
    const s2 = lock.withShared(async () => { events.push('s2'); await b.promise; events.push('s2 end'); });
    const x = lock.withExclusive(() => { events.push('x'); });
    await tick();
    expect(events).toEqual(['s1', 's2']);
    expect(lock.sharedHolders).toBe(2);
    a.resolve();
    await s1;
    await tick();
    expect(events).toEqual(['s1', 's2', 's1 end']);
    b.resolve();
    await Promise.all([s2, x]);
    expect(events).toEqual(['s1', 's2', 's1 end', 's2 end', 'x']);
  });

  it('holds back shared requests that arrive after a waiting exclusive one (no writer starvation)', async () => {
    const lock = new SharedExclusiveLock();
    const a = deferred();
    const events: string[] = [];
    const s1 = lock.withShared(async () => { await a.promise; events.push('s1'); });
    const x = lock.withExclusive(() => { events.push('x'); });
    const s2 = lock.withShared(() => { events.push('s2'); });
    await tick();
    expect(events).toEqual([]);
    a.resolve();
    await Promise.all([s1, x, s2]);
    expect(events).toEqual(['s1', 'x', 's2']);
  });

  it('releases on a throwing holder', async () => {
    const lock = new SharedExclusiveLock();
    await expect(lock.withExclusive(() => { throw new Error('boom'); })).rejects.toThrow('boom');
    await expect(lock.withShared(async () => { throw new Error('bang'); })).rejects.toThrow('bang');
    expect(await lock.withExclusive(() => 7)).toBe(7);
    expect(lock.sharedHolders).toBe(0);
  });
});
