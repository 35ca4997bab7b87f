// Tests of the controller's single event queue: one event at a time, in order, preemption on clear/close.
import pino from 'pino';
import { ControllerEventManager } from '../../../src/controller/ControllerEventManager';

const silent = pino({ level: 'silent' });

interface Ev {
  type: string;
  preempt?: () => void;
}

test('events run one at a time, to completion, in arrival order, even when enqueued while running', async () => {
  const log: string[] = [];
  let running = 0;
  const mgr = new ControllerEventManager<Ev>(async (e) => {
    running += 1;
    expect(running).toBe(1);
    log.push(`start ${e.type}`);
    await Promise.resolve();
    if (e.type === 'a') mgr.put({ type: 'c' }); // arrives after b, which was queued while a started
    await new Promise((r) => setImmediate(r));
    log.push(`end ${e.type}`);
    running -= 1;
  }, silent);
  mgr.put({ type: 'a' });
  mgr.put({ type: 'b' });
  await mgr.idle();
  expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
});

test('a failing event is logged and the queue goes on', async () => {
  const seen: string[] = [];
  const mgr = new ControllerEventManager<Ev>(async (e) => {
    seen.push(e.type);
    if (e.type === 'boom') throw new Error('boom');
  }, silent);
  mgr.put({ type: 'boom' });
  mgr.put({ type: 'next' });
  await mgr.idle();
  expect(seen).toEqual(['boom', 'next']);
});

test('clearAndPut preempts queued events; close preempts and refuses new ones', async () => {
  const seen: string[] = [];
  const preempted: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const mgr = new ControllerEventManager<Ev>(async (e) => {
    seen.push(e.type);
    if (e.type === 'slow') await gate;
  }, silent);
  const ev = (type: string): Ev => ({ type, preempt: () => preempted.push(type) });
  mgr.put(ev('slow'));
  mgr.put(ev('queued1'));
  mgr.put(ev('queued2'));
  mgr.clearAndPut(ev('expire'));
  release();
  await mgr.idle();
  expect(seen).toEqual(['slow', 'expire']);
  expect(preempted).toEqual(['queued1', 'queued2']);
  await mgr.close();
  mgr.put(ev('late'));
  expect(preempted).toEqual(['queued1', 'queued2', 'late']);
  expect(seen).toEqual(['slow', 'expire']);
});

test('close does not wait past its deadline for an event that never finishes, and says which event it was', async () => {
  const warnings: Array<{ event?: string }> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line) as { event?: string }) });
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const mgr = new ControllerEventManager<Ev>(async () => {
    started();
    await new Promise(() => undefined); // a ZooKeeper call that never answers
  }, logger);
  const dropped: string[] = [];
  mgr.put({ type: 'stuck' });
  mgr.put({ type: 'queued', preempt: () => dropped.push('queued') });
  await running;
  const t0 = Date.now();
  await mgr.close(50);
  expect(Date.now() - t0).toBeLessThan(2000);
  expect(dropped).toEqual(['queued']);
  expect(warnings.map((w) => w.event)).toEqual(['stuck']);
});
