// Short crash test (part of npm test): acks=-1 writes survive kill -9, pauses past the session timeout and a
// ZooKeeper restart; replicas agree up to the HW. The long version is `npm run test:crash-long`.
import { runCrashTest } from '../chaos/crash-lib';

jest.setTimeout(240_000);

describe('crash safety (short)', () => {
  it('loses no acknowledged acks=-1 message across leader, follower and controller kills, a pause and a ZooKeeper restart', async () => {
    const seed = Number(process.env.BROOK_CRASH_SEED ?? Date.now() % 100000);
    const report = await runCrashTest({ faults: 6, partitions: 3, quietMs: 1200, seed, log: process.env.BROOK_CRASH_VERBOSE ? (m) => process.stdout.write(`${m}\n`) : undefined });
    const summary = `seed ${seed}: ${report.faults.length} faults, ${report.acknowledged} acknowledged, ${report.lost.length} lost, ${report.duplicated} duplicated, ${report.durationMs} ms`;
    process.stdout.write(`crash-short: ${summary}\n`);
    expect({ summary, lost: report.lost, reordered: report.reordered, replicaMismatches: report.replicaMismatches }).toEqual({ summary, lost: [], reordered: [], replicaMismatches: [] });
    expect(report.faults).toHaveLength(6);
    // Progress despite the faults.
    expect(report.acknowledged).toBeGreaterThan(100);
  });
});
