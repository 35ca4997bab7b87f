// The fetcher's side of incremental fetch sessions (KIP-227), after Kafka's FetchSessionHandler: builds each Fetch
// as full or incremental (only what changed, plus forgotten partitions) and follows the broker's session id and epoch.
import { ErrorCode } from '../protocol/errors';
import { FetchMetadata, type FetchRequest } from '../protocol/messages/01-fetch';
import { groupByTopic, tpKey } from '../util/types';
import { ZERO_UUID } from '../util/uuid';

const { INVALID_SESSION_ID, INITIAL_EPOCH, nextEpoch } = FetchMetadata;

/** One partition as the next Fetch wants it. */
export interface SessionPartition {
  topic: string;
  partition: number;
  fetchOffset: bigint;
  currentLeaderEpoch: number;
  logStartOffset: bigint;
  partitionMaxBytes: number;
  lastFetchedEpoch: number;
}

/** The session part of a Fetch request. */
export type SessionFetchRequest = Pick<FetchRequest, 'sessionId' | 'sessionEpoch' | 'topics' | 'forgottenTopicsData'>;

const samePartitionData = (a: SessionPartition, b: SessionPartition): boolean =>
  a.fetchOffset === b.fetchOffset && a.logStartOffset === b.logStartOffset && a.partitionMaxBytes === b.partitionMaxBytes &&
  a.currentLeaderEpoch === b.currentLeaderEpoch && a.lastFetchedEpoch === b.lastFetchedEpoch;

/** Partitions grouped by topic, in first-seen order, each mapped to its wire form (by name: Fetch v7-12, no topic ids). */
const byTopic = <T extends { topic: string }, U>(items: readonly T[], map: (t: T) => U): Array<{ topic: string; topicId: string; partitions: U[] }> =>
  groupByTopic(items).map(([topic, ps]) => ({ topic, topicId: ZERO_UUID, partitions: ps.map(map) }));

export class FetchSessionHandler {
  private sessionId: number = INVALID_SESSION_ID;
  /** The epoch of the next request: 0 asks for a new session (a full request), above 0 is incremental. */
  private epoch: number = INITIAL_EPOCH;
  /** What the broker's session holds once it accepts the request being built. */
  private session = new Map<string, SessionPartition>();

  /** The broker's session id, 0 when there is none. */
  get id(): number {
    return this.sessionId;
  }
  get isIncremental(): boolean {
    return this.epoch !== INITIAL_EPOCH;
  }

  /** The next request for exactly the `wanted` partitions: all of them (full), or what changed since the last one. */
  build(wanted: readonly SessionPartition[]): SessionFetchRequest {
    const next = new Map(wanted.map((p) => [tpKey(p.topic, p.partition), p]));
    const strip = ({ topic: _t, ...p }: SessionPartition) => p;
    if (!this.isIncremental) {
      this.session = next;
      return { sessionId: this.sessionId, sessionEpoch: INITIAL_EPOCH, topics: byTopic(wanted, strip), forgottenTopicsData: [] };
    }
    const send: SessionPartition[] = [];
    const forget: SessionPartition[] = [];
    for (const [k, old] of this.session) {
      const now = next.get(k);
      if (!now) forget.push(old);
      else if (!samePartitionData(old, now)) send.push(now);
    }
    for (const [k, p] of next) if (!this.session.has(k)) send.push(p);
    this.session = next;
    return {
      sessionId: this.sessionId,
      sessionEpoch: this.epoch,
      topics: byTopic(send, strip),
      forgottenTopicsData: byTopic(forget, (p) => p.partition),
    };
  }

  /**
   * Follows the broker's answer. False on a session error: the next request is full (a new session, or the same id
   * closed and reopened), and nothing in this response is to be applied.
   */
  handleResponse(resp: { errorCode: number; sessionId: number }): boolean {
    if (resp.errorCode !== ErrorCode.NONE) {
      if (resp.errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND) this.sessionId = INVALID_SESSION_ID;
      this.epoch = INITIAL_EPOCH;
      return false;
    }
    if (resp.sessionId === INVALID_SESSION_ID) {
      // No session (the broker had no room, or it ended ours): keep asking with full requests.
      this.sessionId = INVALID_SESSION_ID;
      this.epoch = INITIAL_EPOCH;
    } else if (!this.isIncremental) {
      this.sessionId = resp.sessionId;
      this.epoch = nextEpoch(INITIAL_EPOCH);
    } else {
      this.epoch = nextEpoch(this.epoch);
    }
    return true;
  }

  /** The request failed without an answer (connection lost, timeout): the next request is full. */
  handleError(): void {
    this.epoch = INITIAL_EPOCH;
  }
}
