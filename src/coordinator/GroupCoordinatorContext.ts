// What the group coordinator's parts (membership, offsets, group administration) share; built by GroupCoordinator.
import type { Logger } from '../util/logger';
import type { GroupMetadata } from './GroupMetadata';
import type { GroupMetadataManager } from './GroupMetadataManager';
import type { MemberMetadata } from './MemberMetadata';
import type { Scheduler } from './Scheduler';
import type { GroupCoordinatorConfig } from './GroupCoordinatorConfig';

export interface GroupCoordinatorContext {
  readonly config: GroupCoordinatorConfig;
  readonly manager: GroupMetadataManager;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Counters for the metrics endpoint. */
  readonly stats: { completedRebalances: number };
  isActive(): boolean;
  /** NONE when this broker may serve `groupId` now, else the error to return. */
  validateGroupStatus(groupId: string, allowEmptyId?: boolean): number;
  /** Completes the member's current heartbeat expectation and arms the next one. */
  scheduleHeartbeatExpiration(group: GroupMetadata, member: MemberMetadata): void;
  /** Stops every timer of a group that has died. */
  onGroupDead(group: GroupMetadata): void;
}
