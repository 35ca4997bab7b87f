// The message browser: records of one partition from an offset, or from the first offset at or after a timestamp
// (ListOffsets), read with Fetch from the partition leader and shown with their headers as text, JSON and hex.
import { ErrorCode } from '../protocol/errors';
import { Fetch } from '../protocol/messages';
import { decodeBatchRecords } from '../protocol/record/records';
import { AdminClient, AdminError, EARLIEST, LATEST, READ_UNCOMMITTED, selectBatches } from '../client';
import { offsetsAt } from './cluster';
import { renderBytes, type RenderedBytes } from './render';

export interface BrowsedRecord {
  offset: string;
  timestamp: string;
  key: RenderedBytes;
  value: RenderedBytes;
  headers: Array<{ key: string; value: RenderedBytes }>;
}

export interface BrowseResult {
  topic: string;
  partition: number;
  /** Where reading started (after resolving a timestamp or clamping to the log). */
  startOffset: string;
  earliest: string | null;
  latest: string | null;
  records: BrowsedRecord[];
  /** Set when a timestamp is later than every record (nothing to show). */
  note: string | null;
}

export interface BrowseQuery {
  topic: string;
  partition: number;
  offset?: bigint;
  timestamp?: bigint;
  limit: number;
}

/** Parses the browser's query string; returns an error text for bad input. */
export function parseBrowseQuery(q: URLSearchParams): BrowseQuery | string {
  const topic = q.get('topic') ?? '';
  if (topic === '') return 'topic is required';
  const partition = Number(q.get('partition') ?? '0');
  if (!Number.isInteger(partition) || partition < 0) return 'partition must be a whole number';
  const limitText = q.get('limit') ?? '50';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) return 'limit must be 1-500';
  const offset = q.get('offset');
  const ts = q.get('timestamp');
  if (offset !== null && ts !== null) return 'give offset or timestamp, not both';
  const out: BrowseQuery = { topic, partition, limit };
  if (offset !== null) {
    if (!/^\d+$/.test(offset)) return 'offset must be a non-negative whole number';
    out.offset = BigInt(offset);
  }
  if (ts !== null) {
    const ms = /^\d+$/.test(ts) ? Number(ts) : Date.parse(ts);
    if (Number.isNaN(ms)) return 'timestamp must be ms since the epoch or an ISO date-time';
    out.timestamp = BigInt(ms);
  }
  return out;
}

export async function browse(admin: AdminClient, q: BrowseQuery): Promise<BrowseResult> {
  const t = await admin.topic(q.topic);
  const p = t.partitions.find((x) => x.partition === q.partition);
  if (!p) throw new AdminError(`topic '${q.topic}' has no partition ${q.partition}`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (p.leader < 0) throw new AdminError(`partition ${q.topic}-${q.partition} has no leader right now`, ErrorCode.LEADER_NOT_AVAILABLE);
  const [earliestAt, latestAt] = await Promise.all([offsetsAt(admin, t, [q.partition], EARLIEST), offsetsAt(admin, t, [q.partition], LATEST)]);
  const earliest = earliestAt.get(q.partition) ?? null;
  const latest = latestAt.get(q.partition) ?? null;
  let start = q.offset ?? earliest ?? 0n;
  let note: string | null = null;
  if (q.timestamp !== undefined) {
    const at = (await offsetsAt(admin, t, [q.partition], q.timestamp)).get(q.partition);
    if (at === undefined || at < 0n) {
      note = 'no record at or after that time';
      start = latest ?? 0n;
    } else start = at;
  }
  if (earliest !== null && start < earliest) start = earliest;
  const base = { topic: q.topic, partition: q.partition, startOffset: start.toString(), earliest: earliest?.toString() ?? null, latest: latest?.toString() ?? null, note };
  const records: BrowsedRecord[] = [];
  let pos = start;
  // A few fetches at most: each returns at least one whole batch, and small batches may need several.
  for (let round = 0; round < 20 && records.length < q.limit && (latest === null || pos < latest); round++) {
    const { response } = await admin.send(p.leader, Fetch, () => ({
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 4 * 1024 * 1024, isolationLevel: READ_UNCOMMITTED, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: q.topic, partitions: [{ partition: q.partition, fetchOffset: pos, partitionMaxBytes: 1024 * 1024 }] }],
      forgottenTopicsData: [], rackId: '',
    }), { min: 4, max: 11 });
    const r = response.responses[0]?.partitionResponses[0];
    if (!r) break;
    AdminClient.check(r.errorCode, `fetching ${q.topic}-${q.partition} at offset ${pos}`);
    const data = r.recordSet;
    if (!data || data.length === 0) break;
    const before = pos;
    for (const { batch, deliver } of selectBatches(data, READ_UNCOMMITTED, r.abortedTransactions)) {
      const last = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta);
      if (last < pos) continue;
      if (deliver) {
        for (const rec of await decodeBatchRecords(data, batch.position)) {
          if (rec.offset < pos || records.length >= q.limit) continue;
          records.push({
            offset: rec.offset.toString(), timestamp: rec.timestamp.toString(), key: renderBytes(rec.key), value: renderBytes(rec.value),
            headers: rec.headers.map((h) => ({ key: h.key, value: renderBytes(h.value) })),
          });
        }
      }
      pos = last + 1n;
      if (records.length >= q.limit) break;
    }
    if (pos === before) break;
  }
  return { ...base, records };
}
