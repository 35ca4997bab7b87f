// Kafka's processTopicIds: a topic created without an id (by Kafka before 2.8, or written by hand) gets one when a
// controller loads it, written back to /brokers/topics/<topic> under the controller's epoch.
import type { Logger } from '../util/logger';
import type { KafkaZkApi, TopicAssignment } from '../zk/api';

/** Every loaded topic's id: the stored one, or one assigned now. */
export async function ensureTopicIds(zk: KafkaZkApi, assignments: ReadonlyMap<string, TopicAssignment>, epochZkVersion: number, log: Logger): Promise<Map<string, string>> {
  const withoutIds = [...assignments].filter(([, a]) => !a.topicId).map(([t]) => t);
  const assigned = withoutIds.length > 0 ? await zk.assignTopicIds(withoutIds, epochZkVersion) : new Map<string, string>();
  if (assigned.size > 0) log.info({ topics: Object.fromEntries(assigned) }, 'assigned topic ids to topics without one');
  const ids = new Map<string, string>();
  for (const [topic, a] of assignments) {
    const id = a.topicId ?? assigned.get(topic);
    if (id) ids.set(topic, id);
  }
  return ids;
}
