// One small codec per znode of Kafka 2.8's ZooKeeper layout: its path plus encode/decode of its exact JSON.
import { parseUuid } from '../util/uuid';
import type { BrokerRegistration, EndPoint, LeaderIsrState, TopicAssignment } from './api';

/** Thrown when a znode holds data we cannot parse; carries the path so an operator can look at it. */
export class ZNodeDecodeError extends Error {
  constructor(public readonly path: string, reason: string) {
    super(`cannot decode znode ${path}: ${reason}`);
    this.name = 'ZNodeDecodeError';
  }
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

function parseJson(path: string, data: Buffer | null): Record<string, unknown> {
  if (!data || data.length === 0) throw new ZNodeDecodeError(path, 'empty');
  let v: unknown;
  try {
    v = JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new ZNodeDecodeError(path, (e as Error).message);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ZNodeDecodeError(path, 'not a JSON object');
  return v as Record<string, unknown>;
}

function intArray(path: string, v: unknown): number[] {
  if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x))) throw new ZNodeDecodeError(path, 'expected an integer array');
  return v as number[];
}

function int(path: string, v: unknown, field: string): number {
  if (!Number.isInteger(v)) throw new ZNodeDecodeError(path, `field ${field} is not an integer`);
  return v as number;
}

function str(path: string, v: unknown, field: string): string {
  if (typeof v !== 'string') throw new ZNodeDecodeError(path, `field ${field} is not a string`);
  return v;
}

function stringMap(path: string, v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ZNodeDecodeError(path, 'expected an object');
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = String(x);
  return out;
}

/** Java's String.hashCode (UTF-16 code units, 32-bit wrap-around). */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * Orders keys the way Scala 2.13's mutable.HashMap iterates them, which is the order Kafka 2.8's JSON shows
 * for maps it builds that way (e.g. the "partitions" map of a topic znode). Matching it keeps our znodes
 * byte-identical to Kafka's, so diffs against a real Kafka cluster are clean.
 */
export function scalaMutableHashMapOrder(keys: string[]): string[] {
  let tableLength = 16;
  // The table doubles before an insert that would reach 75% load.
  for (let size = 0; size < keys.length; size++) {
    if (size + 1 >= Math.floor(tableLength * 0.75)) tableLength *= 2;
  }
  const withHash = keys.map((k) => {
    const h = javaStringHash(k);
    const improved = h ^ (h >>> 16);
    return { k, hash: improved | 0, index: improved & (tableLength - 1) };
  });
  withHash.sort((a, b) => a.index - b.index || a.hash - b.hash);
  return withHash.map((x) => x.k);
}

function assignmentJson(m: Map<number, number[]>): string {
  const keys = scalaMutableHashMapOrder([...m.keys()].map(String));
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(m.get(Number(k)) ?? [])}`).join(',')}}`;
}

function parseAssignmentMap(path: string, v: unknown): Map<number, number[]> {
  const out = new Map<number, number[]>();
  if (v === undefined || v === null) return out;
  if (typeof v !== 'object' || Array.isArray(v)) throw new ZNodeDecodeError(path, 'expected a partition map');
  const entries = Object.entries(v as Record<string, unknown>)
    .map(([k, reps]) => [Number(k), intArray(path, reps)] as const)
    .sort((a, b) => a[0] - b[0]);
  for (const [p, reps] of entries) {
    if (!Number.isInteger(p) || p < 0) throw new ZNodeDecodeError(path, `bad partition id`);
    out.set(p, reps);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- paths

/** Persistent paths Kafka 2.8 creates at start-up (ZkData.PersistentZkPaths plus the config entity types). */
export const PERSISTENT_PATHS: readonly string[] = [
  '/consumers',
  '/brokers/ids',
  '/brokers/topics',
  '/config/changes',
  '/admin/delete_topics',
  '/brokers/seqid',
  '/isr_change_notification',
  '/latest_producer_id_block',
  '/log_dir_event_notification',
  '/config/topics',
  '/config/clients',
  '/config/users',
  '/config/brokers',
];

export const BrokerIdsZNode = { path: '/brokers/ids' } as const;
export const TopicsZNode = { path: '/brokers/topics' } as const;
export const DeleteTopicsZNode = { path: '/admin/delete_topics' } as const;
export const ConfigChangesZNode = { path: '/config/changes', prefix: 'config_change_' } as const;

// ---------------------------------------------------------------------------------------- /cluster/id

export const ClusterIdZNode = {
  path: '/cluster/id',
  encode(id: string): Buffer {
    return utf8(`{"version":"1","id":${JSON.stringify(id)}}`);
  },
  decode(data: Buffer | null): string {
    const j = parseJson(this.path, data);
    return str(this.path, j.id, 'id');
  },
};

// --------------------------------------------------------------------------------- /brokers/ids/<id>

/** Kafka's EndPoint.connectionString: LISTENER://host:port, IPv6 hosts in brackets, a null host as empty. */
export function endpointConnectionString(ep: EndPoint): string {
  const host = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
  return `${ep.listenerName}://${host}:${ep.port}`;
}

export const BrokerIdZNode = {
  /** The version Kafka 2.8 writes (5 = adds "features"). */
  version: 5,
  path: (id: number): string => `/brokers/ids/${id}`,
  /**
   * Kafka 2.8 (BrokerIdZNode.encode): keys in its HashMap order; "rack" only when set; "host"/"port" from the
   * first PLAINTEXT endpoint (null/-1 when there is none); timestamp as a string of epoch millis.
   */
  encode(reg: BrokerRegistration, timestampMs: number = Date.now()): Buffer {
    const plaintext = reg.endpoints.find((e) => e.securityProtocol === 'PLAINTEXT');
    const protoMap: Record<string, string> = {};
    for (const e of reg.endpoints) protoMap[e.listenerName] = e.securityProtocol;
    const parts = [
      `"features":{}`,
      `"listener_security_protocol_map":${JSON.stringify(protoMap)}`,
      `"endpoints":${JSON.stringify(reg.endpoints.map(endpointConnectionString))}`,
    ];
    if (reg.rack !== null && reg.rack !== undefined) parts.push(`"rack":${JSON.stringify(reg.rack)}`);
    parts.push(
      `"jmx_port":-1`,
      `"port":${plaintext ? plaintext.port : -1}`,
      `"host":${plaintext ? JSON.stringify(plaintext.host) : 'null'}`,
      `"version":${this.version}`,
      `"timestamp":${JSON.stringify(String(timestampMs))}`,
    );
    return utf8(`{${parts.join(',')}}`);
  },
  /** Accepts versions 1..5 as Kafka does (old ones carry only host/port). */
  decode(id: number, data: Buffer | null): BrokerRegistration {
    const path = this.path(id);
    const j = parseJson(path, data);
    const protoMap = stringMap(path, j.listener_security_protocol_map);
    const endpoints: EndPoint[] = [];
    if (Array.isArray(j.endpoints)) {
      for (const s of j.endpoints) {
        const m = /^([^:]+):\/\/\[?([^\]]*?)\]?:(-?\d+)$/.exec(String(s));
        if (!m) throw new ZNodeDecodeError(path, `bad endpoint ${String(s)}`);
        const listenerName = m[1] as string;
        endpoints.push({
          listenerName,
          host: m[2] as string,
          port: Number(m[3]),
          securityProtocol: protoMap[listenerName] ?? listenerName,
        });
      }
    } else if (typeof j.host === 'string' && Number.isInteger(j.port)) {
      endpoints.push({ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: j.host, port: j.port as number });
    }
    const rack = typeof j.rack === 'string' ? j.rack : null;
    return { id, endpoints, rack };
  },
};

// ----------------------------------------------------------------------- /controller, /controller_epoch

export const ControllerZNode = {
  path: '/controller',
  encode(brokerId: number, timestampMs: number = Date.now()): Buffer {
    return utf8(`{"version":1,"brokerid":${brokerId},"timestamp":${JSON.stringify(String(timestampMs))}}`);
  },
  decode(data: Buffer | null): number {
    const j = parseJson(this.path, data);
    return int(this.path, j.brokerid, 'brokerid');
  },
};

export const ControllerEpochZNode = {
  path: '/controller_epoch',
  /** Kafka's KafkaController.InitialControllerEpoch: the znode is created with it, the first winner bumps it to 1. */
  initialEpoch: 0,
  encode(epoch: number): Buffer {
    return utf8(String(epoch));
  },
  decode(data: Buffer | null): number {
    const s = data ? data.toString('utf8').trim() : '';
    if (!/^-?\d+$/.test(s)) throw new ZNodeDecodeError(this.path, `not an integer: ${JSON.stringify(s)}`);
    return Number(s);
  },
};

// -------------------------------------------------------------------------------- /brokers/topics/<t>

export const TopicZNode = {
  /** The version Kafka 2.8+ writes (3 = adds "topic_id", KIP-516). */
  version: 3,
  path: (topic: string): string => `/brokers/topics/${topic}`,
  /**
   * Kafka 2.8+ (TopicZNode.encode): version 3, "topic_id" only when the topic has one, adding/removing replicas only
   * for partitions that have some; every map, the top-level one included, in Scala 2.13 mutable.HashMap order.
   */
  encode(a: Pick<TopicAssignment, 'partitions' | 'addingReplicas' | 'removingReplicas' | 'topicId'>): Buffer {
    const nonEmpty = (m: Map<number, number[]>): Map<number, number[]> => new Map([...m].filter(([, r]) => r.length > 0));
    const fields: Record<string, string> = {
      version: String(this.version),
      partitions: assignmentJson(a.partitions),
      adding_replicas: assignmentJson(nonEmpty(a.addingReplicas)),
      removing_replicas: assignmentJson(nonEmpty(a.removingReplicas)),
    };
    if (a.topicId !== undefined && a.topicId !== null) fields.topic_id = JSON.stringify(a.topicId);
    const keys = scalaMutableHashMapOrder(Object.keys(fields));
    return utf8(`{${keys.map((k) => `${JSON.stringify(k)}:${fields[k] ?? 'null'}`).join(',')}}`);
  },
  /** Versions 1..3; a topic written without "topic_id" (versions 1-2, or 3 by a broker not using ids) has topicId null. */
  decode(topic: string, data: Buffer | null): TopicAssignment {
    const path = this.path(topic);
    const j = parseJson(path, data);
    let topicId: string | null = null;
    if (j.topic_id !== undefined && j.topic_id !== null) {
      try {
        topicId = parseUuid(str(path, j.topic_id, 'topic_id'));
      } catch (e) {
        throw new ZNodeDecodeError(path, (e as Error).message);
      }
    }
    return {
      partitions: parseAssignmentMap(path, j.partitions),
      addingReplicas: parseAssignmentMap(path, j.adding_replicas),
      removingReplicas: parseAssignmentMap(path, j.removing_replicas),
      topicId,
    };
  },
};

export const TopicPartitionsZNode = {
  path: (topic: string): string => `/brokers/topics/${topic}/partitions`,
};

export const TopicPartitionZNode = {
  path: (topic: string, partition: number): string => `/brokers/topics/${topic}/partitions/${partition}`,
};

export const TopicPartitionStateZNode = {
  path: (topic: string, partition: number): string => `/brokers/topics/${topic}/partitions/${partition}/state`,
  encode(s: Omit<LeaderIsrState, 'zkVersion'>): Buffer {
    return utf8(
      `{"controller_epoch":${s.controllerEpoch},"leader":${s.leader},"version":1,` +
        `"leader_epoch":${s.leaderEpoch},"isr":${JSON.stringify(s.isr)}}`,
    );
  },
  decode(topic: string, partition: number, data: Buffer | null, zkVersion: number): LeaderIsrState {
    const path = this.path(topic, partition);
    const j = parseJson(path, data);
    return {
      leader: int(path, j.leader, 'leader'),
      leaderEpoch: int(path, j.leader_epoch, 'leader_epoch'),
      isr: intArray(path, j.isr),
      controllerEpoch: int(path, j.controller_epoch, 'controller_epoch'),
      zkVersion,
    };
  },
};

// --------------------------------------------------------------------------------------------- config

export type ConfigEntityType = 'topics' | 'brokers';

export const ConfigEntityZNode = {
  path: (entityType: ConfigEntityType, name: string): string => `/config/${entityType}/${name}`,
  encode(config: Record<string, string>): Buffer {
    return utf8(`{"version":1,"config":${JSON.stringify(config)}}`);
  },
  decode(path: string, data: Buffer | null): Record<string, string> {
    // Kafka treats an empty znode as an empty config.
    if (!data || data.length === 0) return {};
    const j = parseJson(path, data);
    return stringMap(path, j.config);
  },
};

export const ConfigEntityChangeNotificationSequenceZNode = {
  /** Create as persistent-sequential at this prefix path. */
  pathPrefix: '/config/changes/config_change_',
  encode(entityType: ConfigEntityType, name: string): Buffer {
    return utf8(`{"version":2,"entity_path":${JSON.stringify(`${entityType}/${name}`)}}`);
  },
  /** Returns null for notifications that are not about topics or brokers (clients, users, ...). */
  decode(path: string, data: Buffer | null): { entityType: ConfigEntityType; name: string } | null {
    const j = parseJson(path, data);
    let entityPath: string;
    if (j.version === 1) {
      // Version 1 carried only a topic name in "entity_name".
      if (typeof j.entity_name !== 'string') return null;
      entityPath = `topics/${j.entity_name}`;
    } else {
      entityPath = str(path, j.entity_path, 'entity_path');
    }
    const slash = entityPath.indexOf('/');
    const type = entityPath.slice(0, slash);
    if (slash < 0 || (type !== 'topics' && type !== 'brokers')) return null;
    return { entityType: type, name: entityPath.slice(slash + 1) };
  },
  /** The numeric sequence of a child name such as config_change_0000000012. */
  sequenceOf(childName: string): number {
    return Number(childName.slice('config_change_'.length));
  },
};

// ---------------------------------------------------------------------------------------------- admin

export const DeleteTopicsTopicZNode = {
  path: (topic: string): string => `/admin/delete_topics/${topic}`,
};

export const PreferredReplicaElectionZNode = {
  path: '/admin/preferred_replica_election',
  encode(partitions: Array<{ topic: string; partition: number }>): Buffer {
    const list = partitions.map((p) => `{"topic":${JSON.stringify(p.topic)},"partition":${p.partition}}`);
    return utf8(`{"version":1,"partitions":[${list.join(',')}]}`);
  },
  decode(data: Buffer | null): Array<{ topic: string; partition: number }> {
    const j = parseJson(this.path, data);
    if (!Array.isArray(j.partitions)) throw new ZNodeDecodeError(this.path, 'partitions is not an array');
    return (j.partitions as Array<Record<string, unknown>>).map((p) => ({
      topic: str(this.path, p.topic, 'topic'),
      partition: int(this.path, p.partition, 'partition'),
    }));
  },
};

export const ReassignPartitionsZNode = {
  path: '/admin/reassign_partitions',
  encode(reassignment: Map<string, number[]> | Array<{ topic: string; partition: number; replicas: number[] }>): Buffer {
    const list = Array.isArray(reassignment)
      ? reassignment
      : [...reassignment].map(([key, replicas]) => ({ ...splitTopicPartitionKey(key), replicas }));
    const items = list.map(
      (p) => `{"topic":${JSON.stringify(p.topic)},"partition":${p.partition},"replicas":${JSON.stringify(p.replicas)}}`,
    );
    return utf8(`{"version":1,"partitions":[${items.join(',')}]}`);
  },
  /** Keyed "topic-partition" as elsewhere in the API. */
  decode(data: Buffer | null): Map<string, number[]> {
    const j = parseJson(this.path, data);
    if (!Array.isArray(j.partitions)) throw new ZNodeDecodeError(this.path, 'partitions is not an array');
    const out = new Map<string, number[]>();
    for (const p of j.partitions as Array<Record<string, unknown>>) {
      out.set(`${str(this.path, p.topic, 'topic')}-${int(this.path, p.partition, 'partition')}`, intArray(this.path, p.replicas));
    }
    return out;
  },
};

/** Splits "my-topic-3" at the last dash (topic names may contain dashes, partitions never do). */
export function splitTopicPartitionKey(key: string): { topic: string; partition: number } {
  const i = key.lastIndexOf('-');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}
