// One member of a group: identity, timeouts, supported protocols, assignment and the pending join/sync answers.
import type { TimerHandle } from './Scheduler';

export interface JoinResult {
  errorCode: number;
  memberId: string;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string;
  /** JoinGroup v9+: the leader knows the members but must not run the assignor (a static leader rejoined a Stable group). */
  skipAssignment: boolean;
  /** Filled only for the leader: every member's metadata for the selected protocol. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface ProtocolEntry {
  name: string;
  metadata: Buffer;
}

export class MemberMetadata {
  assignment: Buffer = Buffer.alloc(0);
  awaitingJoin: ((r: JoinResult) => void) | null = null;
  awaitingSync: ((r: SyncResult) => void) | null = null;
  /** A member that has joined but not yet completed its first rebalance (kept only NewMemberJoinTimeout). */
  isNew = false;
  isLeaving = false;
  heartbeatTimer: TimerHandle | null = null;
  /** Set by every heartbeat-like request; cleared when the next expiration is scheduled. */
  heartbeatSatisfied = false;

  constructor(
    public memberId: string,
    readonly groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public protocols: ProtocolEntry[],
  ) {}

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.awaitingJoin !== null;
  }

  get isAwaitingSync(): boolean {
    return this.awaitingSync !== null;
  }

  /** Metadata this member sent for `protocol` (empty when it does not support it). */
  metadata(protocol: string): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
  }

  /** Same protocols with the same metadata, in the same order: a rejoin that changes nothing. */
  matches(protocols: ProtocolEntry[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) => {
      const mine = this.protocols[i];
      return mine !== undefined && mine.name === p.name && mine.metadata.equals(p.metadata);
    });
  }

  /** Kafka keeps members that are mid-rebalance regardless of heartbeats, except brand-new ones. */
  hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return this.heartbeatSatisfied;
    if (this.isAwaitingJoin || this.isAwaitingSync) return true;
    return this.heartbeatSatisfied;
  }

  /** Answers the pending JoinGroup, if any. */
  completeJoin(r: JoinResult): boolean {
    const cb = this.awaitingJoin;
    if (!cb) return false;
    this.awaitingJoin = null;
    cb(r);
    return true;
  }

  /** Answers the pending SyncGroup, if any. */
  completeSync(r: SyncResult): boolean {
    const cb = this.awaitingSync;
    if (!cb) return false;
    this.awaitingSync = null;
    cb(r);
    return true;
  }
}
