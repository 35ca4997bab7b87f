// A simple producer: per-partition batches (murmur2 for keyed records, sticky partition for null keys),
// acks, compression, and retries of routing errors for the partitions that failed.
import { ErrorCode } from '../protocol/errors';
import { Produce } from '../protocol/messages';
import { buildRecordBatch, type RecordInput } from '../protocol/record/records';
import { CompressionType } from '../protocol/record/compression';
import { AdminClient } from './AdminClient';
import { RetriableAdminError } from './errors';
import { partitionForKey } from './murmur2';

export interface ProducerOptions {
  acks: -1 | 0 | 1;
  compression?: CompressionType;
  timeoutMs?: number;
}

export interface ProduceRecord {
  key: Buffer | null;
  value: Buffer | null;
  /** Explicit partition; otherwise chosen by the partitioner. */
  partition?: number;
  timestamp?: bigint;
}

export interface ProducedPartition {
  partition: number;
  baseOffset: bigint;
  count: number;
}

export const COMPRESSION_NAMES: Record<string, CompressionType> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

export class Producer {
  /** Sticky partition for null-key records, moved on after each send (Kafka 2.4+'s sticky partitioner, per batch). */
  private sticky = new Map<string, number>();

  constructor(private readonly admin: AdminClient, private readonly opts: ProducerOptions) {}

  /** Chooses the partition of each record: explicit, murmur2 of the key, or the topic's sticky partition. */
  assignPartitions(topic: string, numPartitions: number, records: ProduceRecord[]): Map<number, ProduceRecord[]> {
    const byPartition = new Map<number, ProduceRecord[]>();
    let sticky = this.sticky.get(topic);
    if (sticky === undefined || sticky >= numPartitions) sticky = Math.floor(Math.random() * numPartitions);
    for (const r of records) {
      const p = r.partition ?? (r.key !== null ? partitionForKey(r.key, numPartitions) : sticky);
      const list = byPartition.get(p) ?? [];
      list.push(r);
      byPartition.set(p, list);
    }
    this.sticky.set(topic, (sticky + 1) % numPartitions);
    return byPartition;
  }

  /** Sends the records and resolves when every partition is acknowledged (per `acks`). */
  async send(topic: string, records: ProduceRecord[]): Promise<ProducedPartition[]> {
    if (records.length === 0) return [];
    const meta = await this.admin.withRetry(`looking up topic '${topic}'`, () => this.admin.topic(topic, false));
    const byPartition = this.assignPartitions(topic, meta.partitions.length, records);
    const results: ProducedPartition[] = [];
    let pending = byPartition;
    const batches = new Map<number, Buffer>();
    for (const [p, recs] of byPartition) {
      const input: RecordInput[] = recs.map((r) => (r.timestamp === undefined ? { key: r.key, value: r.value } : { key: r.key, value: r.value, timestamp: r.timestamp }));
      batches.set(p, await buildRecordBatch({ records: input, compression: this.opts.compression ?? CompressionType.None }));
    }
    await this.admin.withRetry(`producing to '${topic}'`, async () => {
      const byLeader = new Map<number, number[]>();
      for (const p of pending.keys()) {
        const leader = this.admin.leaderOf(topic, p);
        const list = byLeader.get(leader) ?? [];
        list.push(p);
        byLeader.set(leader, list);
      }
      const failed = new Map<number, ProduceRecord[]>();
      let firstRetriable: RetriableAdminError | null = null;
      await Promise.all([...byLeader].map(async ([leader, parts]) => {
        const body = () => ({
          transactionalId: null,
          acks: this.opts.acks,
          timeoutMs: this.opts.timeoutMs ?? 30_000,
          topicData: [{ name: topic, partitionData: parts.map((p) => ({ index: p, records: batches.get(p)! })) }],
        });
        try {
          if (this.opts.acks === 0) {
            await this.admin.sendNoResponse(leader, Produce, body, { min: 3, max: 8 });
            for (const p of parts) results.push({ partition: p, baseOffset: -1n, count: pending.get(p)!.length });
            return;
          }
          const { response } = await this.admin.send(leader, Produce, body, { min: 3, max: 8 });
          for (const t of response.responses) {
            for (const pr of t.partitionResponses) {
              if (pr.errorCode === ErrorCode.NONE) {
                results.push({ partition: pr.index, baseOffset: pr.baseOffset, count: pending.get(pr.index)?.length ?? 0 });
                continue;
              }
              try {
                AdminClient.check(pr.errorCode, `producing to ${topic}-${pr.index}`, pr.errorMessage);
              } catch (e) {
                if (!(e instanceof RetriableAdminError)) throw e;
                firstRetriable ??= e;
                failed.set(pr.index, pending.get(pr.index)!);
              }
            }
          }
        } catch (e) {
          if (!(e instanceof RetriableAdminError)) throw e;
          firstRetriable ??= e;
          for (const p of parts) failed.set(p, pending.get(p)!);
        }
      }));
      pending = failed;
      if (firstRetriable) throw firstRetriable;
    });
    return results.sort((a, b) => a.partition - b.partition);
  }
}
