import { Progress } from '../../../src/cli/progress';

function sink(isTTY: boolean): { stream: NodeJS.WritableStream & { isTTY?: boolean }; text: () => string } {
  let text = '';
  const stream = { isTTY, write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WritableStream & { isTTY?: boolean };
  return { stream, text: () => text };
}

describe('Progress', () => {
  test('stays silent when the operation ends before afterMs', () => {
    let now = 0;
    const s = sink(false);
    const p = new Progress('waiting', 10, { afterMs: 1000, stream: s.stream, now: () => now });
    now = 500; p.update(4);
    now = 900; p.finish(10);
    expect(s.text()).toBe('');
  });

  test('prints at most one line per everyMs after afterMs, then the final count', () => {
    let now = 0;
    const s = sink(false);
    const p = new Progress('waiting', 10, { afterMs: 1000, everyMs: 1000, stream: s.stream, now: () => now });
    now = 1000; p.update(2);
    now = 1500; p.update(5);
    now = 2000; p.update(7);
    now = 2300; p.finish(10);
    expect(s.text()).toBe('waiting: 2/10 (1.0 s)\nwaiting: 7/10 (2.0 s)\nwaiting: 10/10 (2.3 s)\n');
  });

  test('afterMs 0 always reports the final count, even without updates', () => {
    const s = sink(false);
    const p = new Progress('waiting', 3, { afterMs: 0, stream: s.stream, now: () => 0 });
    p.finish(3);
    expect(s.text()).toBe('waiting: 3/3 (0.0 s)\n');
  });

  test('rewrites one line in place on a terminal', () => {
    let now = 0;
    const s = sink(true);
    const p = new Progress('waiting', 4, { afterMs: 0, stream: s.stream, now: () => now });
    now = 100; p.update(1);
    now = 200; p.update(3);
    p.finish(4);
    expect(s.text()).toBe('\rwaiting: 1/4 (0.1 s)\x1b[K\rwaiting: 3/4 (0.2 s)\x1b[K\rwaiting: 4/4 (0.2 s)\x1b[K\n');
  });
});
