// `brook leader-election`: preferred or unclean leader election through the controller (kafka-leader-election.sh).
import type { Command } from 'commander';
import { Option } from 'commander';
import { ErrorCode } from '../../protocol/errors';
import { ElectLeaders } from '../../protocol/messages';
import { AdminClient, AdminError, describeErrorCode } from '../../client';
import { formatJson, formatTable, out } from '../format';
import { addCommonOptions, parseIntArg, usage, withAdmin, type CommonOptions } from './common';

interface ElectionOptions extends CommonOptions {
  electionType: 'preferred' | 'unclean';
  topic?: string;
  partition?: number;
  allTopicPartitions?: boolean;
}

export function registerLeaderElection(program: Command): void {
  const cmd = program
    .command('leader-election')
    .description('elect preferred (or, with care, unclean) leaders (like kafka-leader-election.sh)')
    .addOption(new Option('--election-type <type>', 'preferred: move leadership to the first replica; unclean: allow an out-of-sync replica').choices(['preferred', 'unclean']).makeOptionMandatory())
    .option('--topic <name>', 'topic of the partition')
    .option('--partition <n>', 'partition number', parseIntArg('--partition', 0))
    .option('--all-topic-partitions', 'every partition of every topic');
  addCommonOptions(cmd).action(async (opts: ElectionOptions) => {
    if (opts.allTopicPartitions && (opts.topic !== undefined || opts.partition !== undefined)) usage('give --all-topic-partitions or --topic/--partition, not both');
    if (!opts.allTopicPartitions && (opts.topic === undefined || opts.partition === undefined)) usage('give --topic T --partition P, or --all-topic-partitions');
    await withAdmin(opts, async (a) => {
      if (opts.topic !== undefined) {
        const t = await a.topic(opts.topic);
        if (!t.partitions.some((p) => p.partition === opts.partition)) throw new AdminError(`topic '${opts.topic}' has no partition ${opts.partition} (it has ${t.partitions.length})`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      }
      const electionType = opts.electionType === 'preferred' ? 0 : 1;
      const rows = await a.withRetry('electing leaders', async () => {
        const { response, version } = await a.send('controller', ElectLeaders, () => ({
          electionType,
          topicPartitions: opts.allTopicPartitions ? null : [{ topic: opts.topic!, partitionId: [opts.partition!] }],
          timeoutMs: 30_000,
        }), { min: electionType === 1 ? 1 : 0, max: 2 });
        if (version >= 1) AdminClient.check(response.errorCode, 'ElectLeaders');
        return response.replicaElectionResults.flatMap((t) => t.partitionResult.map((p) => ({
          topic: t.topic,
          partition: p.partitionId,
          // Kafka reports "already the preferred leader" as ELECTION_NOT_NEEDED: not a failure.
          result: p.errorCode === ErrorCode.NONE ? 'elected' : p.errorCode === ErrorCode.ELECTION_NOT_NEEDED ? 'not needed' : describeErrorCode(p.errorCode, p.errorMessage),
          failed: p.errorCode !== ErrorCode.NONE && p.errorCode !== ErrorCode.ELECTION_NOT_NEEDED,
        })));
      });
      if (opts.output === 'json') out(formatJson(rows));
      else out(rows.length === 0 ? 'No partitions needed an election.' : formatTable(['TOPIC', 'PARTITION', 'RESULT'], rows.map((r) => [r.topic, r.partition, r.result])));
      if (rows.some((r) => r.failed)) process.exitCode = 1;
    });
  });
}
