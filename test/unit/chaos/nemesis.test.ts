// The nemesis's draw: the first faults cover each allowed kind once, in a fixed order; the rest depend only on the
// seed, so a run can be repeated; only allowed kinds are drawn.
import { pickFault, seededRandom } from '../../../src/chaos/nemesis';
import { ALL_FAULT_KINDS, type FaultKind } from '../../../src/chaos/faults';

const draw = (seed: number, n: number, allowed: readonly FaultKind[] = ALL_FAULT_KINDS): FaultKind[] => {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => pickFault(random, i, allowed));
};

describe('nemesis fault draw', () => {
  it('covers every kind once first, ZooKeeper restart before the first pause', () => {
    expect(draw(1, 6)).toEqual(['kill-leader', 'kill-follower', 'kill-controller', 'zk-restart', 'pause', 'restart']);
  });

  it('repeats the same sequence for the same seed and differs for another', () => {
    expect(draw(42, 60)).toEqual(draw(42, 60));
    expect(draw(42, 60)).not.toEqual(draw(43, 60));
  });

  it('draws only the allowed kinds, each of them eventually', () => {
    const got = draw(7, 200, ['pause', 'kill-leader']);
    expect(got.slice(0, 2)).toEqual(['kill-leader', 'pause']);
    expect(new Set(got)).toEqual(new Set(['pause', 'kill-leader']));
  });

  it('treats seed 0 like any other seed (xorshift needs a non-zero state)', () => {
    const r = seededRandom(0);
    const xs = Array.from({ length: 5 }, () => r());
    expect(new Set(xs).size).toBe(5);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});
