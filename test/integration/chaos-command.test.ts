// `brook chaos` end to end: the real command starts its own cluster, injects a few faults, prints a progress line
// per fault and the summary, and exits 0 when the audit passes; bad arguments exit 2 with a precise message.
import { runBrook } from '../harness';

jest.setTimeout(240_000);

describe('brook chaos', () => {
  it('runs three faults against its own cluster and passes the audit', async () => {
    const r = await runBrook(['chaos', '--faults', '3', '--seed', '42', '--quiet-ms', '1000'], { timeoutMs: 220_000 });
    const why = `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
    expect({ code: r.code, why }).toEqual({ code: 0, why });
    expect(r.stdout).toMatch(/^brook chaos: 3 faults on Brook: 3 brokers, 3 partitions, replication factor 3, min\.insync\.replicas 2; seed 42$/m);
    // One line per fault (the first three kinds, in order), then the table.
    expect(r.stdout.match(/^fault \d\/3 .*/gm)?.map((l) => l.split(/\s+/)[2])).toEqual(['kill-leader', 'kill-follower', 'kill-controller']);
    for (const row of [/^faults\s+3$/m, /^lost\s+0$/m, /^reordered\s+0$/m, /^replica mismatches\s+0 /m, /^seed\s+42$/m]) expect(r.stdout).toMatch(row);
    const acked = Number(/^sends acknowledged\s+(\d+)$/m.exec(r.stdout)?.[1]);
    expect(acked).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/^repeat: brook chaos --faults 3 --seed 42 --quiet-ms 1000$/m);
    expect(r.stdout).toMatch(/^RESULT: PASS$/m);
  });

  it('--transactional: copies records exactly once through transactions while the coordinators are killed', async () => {
    const args = ['chaos', '--transactional', '--records', '6000', '--records-per-second', '1500', '--faults', '2', '--seed', '7', '--quiet-ms', '500'];
    const r = await runBrook(args, { timeoutMs: 220_000 });
    const why = `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
    expect({ code: r.code, why }).toEqual({ code: 0, why });
    // The first faults kill the transaction coordinator of a worker's id, then the group's coordinator.
    expect(r.stdout.match(/^fault \d\/2 .*/gm)?.map((l) => l.split(/\s+/)[2])).toEqual(['kill-txn-coordinator', 'kill-group-coordinator']);
    for (const row of [/^input records\s+6000 /m, /^committed output records\s+6000 /m, /^missing\s+0$/m, /^duplicated\s+0$/m, /^reordered partitions\s+0$/m, /^undecided records\s+0 /m]) {
      expect(r.stdout).toMatch(row);
    }
    expect(r.stdout).toMatch(/^RESULT: PASS$/m);
  });

  it.each([
    [['--faults', '-1'], /option '--faults <n>' argument '-1' is invalid/],
    [['--brokers', '2'], /--replication-factor 3 is more than --brokers 2/],
    [['--min-insync', '4'], /--min-insync 4 is more than the replication factor 3/],
    [['--fault-kinds', 'kill-leader,reboot'], /--fault-kinds: unknown kind\(s\) "reboot"/],
    [['--kafka-home', '/nonexistent'], /--kafka-home \/nonexistent: there is no bin\/kafka-server-start\.sh there/],
    [['--fault-kinds', 'kill-txn-coordinator'], /--fault-kinds kill-txn-coordinator needs --transactional/],
    [['--transactional', '--idempotent'], /--transactional runs its own workload/],
  ])('rejects %j with exit code 2', async (args, message) => {
    const r = await runBrook(['chaos', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
