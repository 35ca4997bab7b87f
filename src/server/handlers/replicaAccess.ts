// Gives the data-path handlers the ReplicaManager, and the topic authorization hook they share.
import { ErrorCode, KafkaError } from '../../protocol/errors';
import type { ReplicaManager } from '../ReplicaManager';
import type { RequestContext } from './types';

export function replicaManagerOf(ctx: RequestContext): ReplicaManager {
  const rm = ctx.services.replicaManager;
  if (!rm) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'replica manager not running');
  return rm;
}

export type TopicOperation = 'read' | 'write' | 'delete' | 'describe' | 'cluster-action';

/** Authorization hook: every principal may do everything until ACLs exist. */
export function authorizeTopic(_ctx: RequestContext, _topic: string, _op: TopicOperation): boolean {
  return true;
}
