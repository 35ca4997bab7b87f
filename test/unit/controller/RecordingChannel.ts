// A ControllerChannel for tests: records every request per broker and answers StopReplica like a healthy broker.
import type {
  BrokerInfo,
  ControllerChannel,
  LeaderAndIsrCommand,
  StopReplicaCommand,
  StopReplicaResult,
  UpdateMetadataCommand,
} from '../../../src/controller/channel';

export type Sent =
  | { kind: 'LeaderAndIsr'; brokerId: number; request: LeaderAndIsrCommand }
  | { kind: 'UpdateMetadata'; brokerId: number; request: UpdateMetadataCommand }
  | { kind: 'StopReplica'; brokerId: number; request: StopReplicaCommand };

export class RecordingChannel implements ControllerChannel {
  readonly brokers = new Map<number, BrokerInfo>();
  sent: Sent[] = [];
  /** When false, StopReplica responses are held in `heldStopReplica` until released. */
  autoAnswerStopReplica = true;
  heldStopReplica: Array<() => void> = [];
  /** Per-partition error code the broker answers StopReplica with (default 0). */
  stopReplicaError = 0;

  addBroker(broker: BrokerInfo): void {
    this.brokers.set(broker.id, broker);
  }
  removeBroker(brokerId: number): void {
    this.brokers.delete(brokerId);
  }
  removeAllBrokers(): void {
    this.brokers.clear();
  }
  private check(brokerId: number): void {
    if (!this.brokers.has(brokerId)) throw new Error(`request to broker ${brokerId}, which is not in the channel`);
  }
  sendLeaderAndIsr(brokerId: number, request: LeaderAndIsrCommand): void {
    this.check(brokerId);
    this.sent.push({ kind: 'LeaderAndIsr', brokerId, request });
  }
  sendUpdateMetadata(brokerId: number, request: UpdateMetadataCommand): void {
    this.check(brokerId);
    this.sent.push({ kind: 'UpdateMetadata', brokerId, request });
  }
  sendStopReplica(brokerId: number, request: StopReplicaCommand, onResponse?: (r: StopReplicaResult) => void): void {
    this.check(brokerId);
    this.sent.push({ kind: 'StopReplica', brokerId, request });
    const answer = (): void =>
      onResponse?.({ errorCode: 0, partitions: request.partitions.map((p) => ({ topic: p.topic, partition: p.partition, errorCode: this.stopReplicaError })) });
    // Answer asynchronously, as a network round trip would.
    if (this.autoAnswerStopReplica) setImmediate(answer);
    else this.heldStopReplica.push(answer);
  }

  clear(): void {
    this.sent = [];
  }
  leaderAndIsr(brokerId?: number): LeaderAndIsrCommand[] {
    return this.sent.flatMap((s) => (s.kind === 'LeaderAndIsr' && (brokerId === undefined || s.brokerId === brokerId) ? [s.request] : []));
  }
  updateMetadata(brokerId?: number): UpdateMetadataCommand[] {
    return this.sent.flatMap((s) => (s.kind === 'UpdateMetadata' && (brokerId === undefined || s.brokerId === brokerId) ? [s.request] : []));
  }
  stopReplica(brokerId?: number): StopReplicaCommand[] {
    return this.sent.flatMap((s) => (s.kind === 'StopReplica' && (brokerId === undefined || s.brokerId === brokerId) ? [s.request] : []));
  }
}
