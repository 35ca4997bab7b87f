// Long crash run (`npm run test:crash-long`): the crash test with at least 50 faults (100 by default), retention and
// compaction at work on two more topics (BROOK_CRASH_PLAIN=1 turns them off); prints faults, acknowledged, lost (must
// be 0), duplicated; exits non-zero on any loss, reordering or replica divergence.
import { ALL_FAULT_KINDS, runCrashTest, type FaultKind } from './crash-lib';

async function main(): Promise<void> {
  const faults = Math.max(50, Number(process.env.BROOK_CRASH_FAULTS ?? 100));
  const retentionAndCompaction = process.env.BROOK_CRASH_PLAIN !== '1';
  const seed = Number(process.env.BROOK_CRASH_SEED ?? Date.now() % 100000);
  // BROOK_CRASH_FAULT_KINDS=kill-leader,kill-follower,kill-controller,pause,zk-restart (default: all).
  const faultKinds = (process.env.BROOK_CRASH_FAULT_KINDS?.split(',') ?? ALL_FAULT_KINDS) as FaultKind[];
  process.stdout.write(`crash-long: ${faults} faults (${faultKinds.join(', ')}), seed ${seed}${retentionAndCompaction ? ', with retention and compaction' : ''}\n`);
  const r = await runCrashTest({ faults, partitions: 3, quietMs: 1500, seed, faultKinds, retentionAndCompaction, log: (m) => process.stdout.write(`${new Date().toISOString()} ${m}\n`) });
  const kinds = new Map<string, number>();
  for (const f of r.faults) {
    const k = f.startsWith('ZooKeeper') ? 'zk-restart' : f.includes('paused') ? 'pause' : (/\((.*)\)/.exec(f)?.[1] ?? 'other');
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  process.stdout.write(
    [
      `faults survived: ${r.faults.length} (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`,
      `messages attempted: ${r.attempted}, acknowledged: ${r.acknowledged}, failed sends: ${r.failedSends}`,
      `lost: ${r.lost.length}${r.lost.length ? ` (${r.lost.slice(0, 10).join(', ')})` : ''}`,
      `reordered: ${r.reordered.length}`,
      `duplicated: ${r.duplicated}; unacknowledged but present: ${r.unackedPresent}`,
      ...(retentionAndCompaction
        ? [
            `retained topic: ${r.retainedChecked} acknowledged records checked at or above the log start, ${r.retainedBelowStart} removed by retention`,
            `compacted topic: latest value checked for ${r.compactedKeys} keys; ${r.compactedRead} records read back of ${r.compactedAcked} acknowledged`,
          ]
        : []),
      `replica mismatches: ${r.replicaMismatches.length}${r.replicaMismatches.length ? `\n  ${r.replicaMismatches.join('\n  ')}` : ''}`,
      `duration: ${(r.durationMs / 1000).toFixed(0)} s`,
    ].join('\n') + '\n',
  );
  process.exit(r.lost.length === 0 && r.reordered.length === 0 && r.replicaMismatches.length === 0 ? 0 : 1);
}

main().catch((e: unknown) => {
  process.stderr.write(`crash-long failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(2);
});
