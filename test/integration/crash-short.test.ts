// Short crash test (part of npm test): acks=-1 writes survive kill -9 of leaders, followers and the controller, a
// pause past the session timeout, a clean restart and a ZooKeeper restart; replicas agree up to the HW. It runs the
// engine of `brook chaos` (src/chaos); the long version is `npm run test:crash-long`.
import { runChaos } from '../../src/chaos';

jest.setTimeout(240_000);

describe('crash safety (short)', () => {
  it('loses no acknowledged acks=-1 message across leader, follower and controller kills, a pause, a restart and a ZooKeeper restart', async () => {
    const seed = Number(process.env.BROOK_CRASH_SEED ?? Date.now() % 100000);
    const report = await runChaos({
      faults: 6,
      partitions: 3,
      quietMs: 1200,
      seed,
      onProgress: process.env.BROOK_CRASH_VERBOSE ? (e) => process.stdout.write(`${JSON.stringify(e)}\n`) : undefined,
    });
    const summary = `seed ${seed}: ${report.faults.length} faults, ${report.acknowledged} acknowledged, ${report.lost.length} lost, ${report.duplicated} duplicated, ${report.durationMs} ms`;
    process.stdout.write(`crash-short: ${summary}\n`);
    expect({ summary, lost: report.lost, reordered: report.reordered, replicaMismatches: report.replicaMismatches }).toEqual({ summary, lost: [], reordered: [], replicaMismatches: [] });
    expect(report.faults.map((f) => f.kind).sort()).toEqual(['kill-controller', 'kill-follower', 'kill-leader', 'pause', 'restart', 'zk-restart']);
    // Progress despite the faults.
    expect(report.acknowledged).toBeGreaterThan(100);
  });
});
