// The authorization hook handlers ask before acting on a topic.
import type { RequestContext } from './types';

export type TopicOperation = 'read' | 'write' | 'delete' | 'describe' | 'cluster-action';

/** Every principal may do everything until ACLs exist. */
export function authorizeTopic(_ctx: RequestContext, _topic: string, _op: TopicOperation): boolean {
  return true;
}
