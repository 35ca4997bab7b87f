// Znode codecs write Kafka 2.8's exact JSON (compared as literal strings) and read it back.
import {
  BrokerIdZNode,
  ClusterIdZNode,
  ConfigEntityChangeNotificationSequenceZNode,
  ConfigEntityZNode,
  ControllerEpochZNode,
  ControllerZNode,
  PreferredReplicaElectionZNode,
  ReassignPartitionsZNode,
  TopicPartitionStateZNode,
  TopicZNode,
  ZNodeDecodeError,
  scalaMutableHashMapOrder,
  splitTopicPartitionKey,
} from '../../../src/zk/znodes';
import { parseConnectString } from '../../../src/zk/ZkClient';

const s = (b: Buffer): string => b.toString('utf8');
const b = (x: string): Buffer => Buffer.from(x, 'utf8');

describe('BrokerIdZNode', () => {
  const reg = {
    id: 1,
    endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 9092 }],
    rack: null,
  };

  it('encodes Kafka 2.8 version 5 JSON in Kafka key order, without rack when unset', () => {
    expect(s(BrokerIdZNode.encode(reg, 1700000000000))).toBe(
      '{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},' +
        '"endpoints":["PLAINTEXT://127.0.0.1:9092"],"jmx_port":-1,"port":9092,"host":"127.0.0.1",' +
        '"version":5,"timestamp":"1700000000000"}',
    );
  });

  it('places rack after endpoints, as Kafka does', () => {
    expect(s(BrokerIdZNode.encode({ ...reg, rack: 'r1' }, 1))).toBe(
      '{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},' +
        '"endpoints":["PLAINTEXT://127.0.0.1:9092"],"rack":"r1","jmx_port":-1,"port":9092,"host":"127.0.0.1",' +
        '"version":5,"timestamp":"1"}',
    );
  });

  it('uses host null and port -1 without a PLAINTEXT endpoint, and brackets IPv6 hosts', () => {
    const enc = s(
      BrokerIdZNode.encode(
        { id: 2, rack: null, endpoints: [{ listenerName: 'INTERNAL', securityProtocol: 'SSL', host: '::1', port: 9093 }] },
        5,
      ),
    );
    expect(enc).toBe(
      '{"features":{},"listener_security_protocol_map":{"INTERNAL":"SSL"},"endpoints":["INTERNAL://[::1]:9093"],' +
        '"jmx_port":-1,"port":-1,"host":null,"version":5,"timestamp":"5"}',
    );
    expect(BrokerIdZNode.decode(2, b(enc)).endpoints).toEqual([
      { listenerName: 'INTERNAL', securityProtocol: 'SSL', host: '::1', port: 9093 },
    ]);
  });

  it('decodes what real Kafka writes (version 4 with rack, and version 1 host/port only)', () => {
    const v4 =
      '{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT","REPL":"PLAINTEXT"},"endpoints":' +
      '["PLAINTEXT://kafka1:9092","REPL://kafka1:9093"],"rack":"eu-1a","jmx_port":9999,"host":"kafka1",' +
      '"timestamp":"1599999999999","port":9092,"version":4}';
    expect(BrokerIdZNode.decode(7, b(v4))).toEqual({
      id: 7,
      rack: 'eu-1a',
      endpoints: [
        { listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: 'kafka1', port: 9092 },
        { listenerName: 'REPL', securityProtocol: 'PLAINTEXT', host: 'kafka1', port: 9093 },
      ],
    });
    expect(BrokerIdZNode.decode(3, b('{"jmx_port":-1,"timestamp":"1","host":"h","version":1,"port":9092}'))).toEqual({
      id: 3,
      rack: null,
      endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: 'h', port: 9092 }],
    });
  });

  it('round-trips', () => {
    expect(BrokerIdZNode.decode(1, BrokerIdZNode.encode({ ...reg, rack: 'x' }))).toEqual({ ...reg, rack: 'x' });
  });
});

describe('controller znodes and cluster id', () => {
  it('/controller', () => {
    expect(s(ControllerZNode.encode(3, 1234))).toBe('{"version":1,"brokerid":3,"timestamp":"1234"}');
    expect(ControllerZNode.decode(b('{"version":1,"brokerid":3,"timestamp":"1234"}'))).toBe(3);
  });
  it('/controller_epoch is a bare decimal', () => {
    expect(s(ControllerEpochZNode.encode(12))).toBe('12');
    expect(ControllerEpochZNode.decode(b('12'))).toBe(12);
    expect(() => ControllerEpochZNode.decode(b('x'))).toThrow(ZNodeDecodeError);
  });
  it('/cluster/id', () => {
    expect(s(ClusterIdZNode.encode('AbCdEfGhIjKlMnOpQrStUv'))).toBe('{"version":"1","id":"AbCdEfGhIjKlMnOpQrStUv"}');
    expect(ClusterIdZNode.decode(b('{"version":"1","id":"abc"}'))).toBe('abc');
  });
});

describe('TopicZNode', () => {
  const none = new Map<number, number[]>();
  const id = 'zZ3Ab1FCRmGvjlqDH7bD8g';
  it('encodes version 3 as Kafka 2.8+: topic_id when known, adding/removing replicas only where present, Scala 2.13 key order', () => {
    const partitions = new Map([
      [0, [1, 2, 3]],
      [1, [2, 3, 1]],
    ]);
    // Top-level keys hash to buckets partitions 0, removing_replicas 4, topic_id 11, adding_replicas 12, version 13.
    expect(s(TopicZNode.encode({ partitions, addingReplicas: none, removingReplicas: new Map([[1, [1]], [0, []]]), topicId: id }))).toBe(
      `{"partitions":{"0":[1,2,3],"1":[2,3,1]},"removing_replicas":{"1":[1]},"topic_id":"${id}","adding_replicas":{},"version":3}`,
    );
    // A topic without an id (a controller that has not assigned one yet) keeps none: no "topic_id" key at all.
    expect(s(TopicZNode.encode({ partitions, addingReplicas: none, removingReplicas: none }))).toBe(
      '{"partitions":{"0":[1,2,3],"1":[2,3,1]},"removing_replicas":{},"adding_replicas":{},"version":3}',
    );
    expect(s(TopicZNode.encode({ partitions, addingReplicas: none, removingReplicas: none, topicId: null }))).not.toContain('topic_id');
  });

  it('orders partition keys like Kafka (Scala 2.13 mutable.HashMap iteration order)', () => {
    // 11 keys fit 16 buckets: "0".."9" hash to buckets 0..9 (48..57 & 15), "10" (1567) to bucket 15.
    const eleven = Array.from({ length: 11 }, (_, i) => String(i));
    expect(scalaMutableHashMapOrder(eleven)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    // 20 keys grow the table to 32 buckets: "11".."19" land in 0..8, "0".."9" in 16..25, "10" in 31.
    const twenty = Array.from({ length: 20 }, (_, i) => String(i));
    const expected = ['11', '12', '13', '14', '15', '16', '17', '18', '19', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];
    expect(scalaMutableHashMapOrder(twenty)).toEqual(expected);
    const partitions = new Map(twenty.map((k): [number, number[]] => [Number(k), [1]]));
    expect(s(TopicZNode.encode({ partitions, addingReplicas: none, removingReplicas: none }))).toBe(
      `{"partitions":{${expected.map((k) => `"${k}":[1]`).join(',')}},"removing_replicas":{},"adding_replicas":{},"version":3}`,
    );
  });

  it('decodes version 3 with its topic id, and versions 1..2 (written before topic ids) with none', () => {
    const a = TopicZNode.decode('t', b(`{"version":3,"topic_id":"${id}","partitions":{"1":[2],"0":[1]},"adding_replicas":{},"removing_replicas":{}}`));
    expect([...a.partitions]).toEqual([
      [0, [1]],
      [1, [2]],
    ]);
    expect(a.topicId).toBe(id);
    const v2 = TopicZNode.decode('t', b('{"version":2,"partitions":{"0":[1,2]},"adding_replicas":{"0":[2]},"removing_replicas":{}}'));
    expect(v2.topicId).toBeNull();
    expect(v2.addingReplicas.get(0)).toEqual([2]);
    const old = TopicZNode.decode('t', b('{"version":1,"partitions":{"0":[1,2]}}'));
    expect(old.addingReplicas.size).toBe(0);
    expect(old.partitions.get(0)).toEqual([1, 2]);
    expect(old.topicId).toBeNull();
  });

  it('round-trips its own encoding, and refuses a topic_id that is not a 16-byte base64 uuid', () => {
    const written = { partitions: new Map([[0, [3, 1]]]), addingReplicas: new Map([[0, [3]]]), removingReplicas: none, topicId: id };
    expect(TopicZNode.decode('t', TopicZNode.encode(written))).toEqual(written);
    expect(() => TopicZNode.decode('t', b('{"version":3,"topic_id":"x","partitions":{}}'))).toThrow(ZNodeDecodeError);
    expect(() => TopicZNode.decode('t', b('{"version":3,"topic_id":7,"partitions":{}}'))).toThrow(ZNodeDecodeError);
  });
});

describe('partition state', () => {
  it('encodes Kafka key order', () => {
    expect(s(TopicPartitionStateZNode.encode({ leader: 1, leaderEpoch: 4, isr: [1, 2, 3], controllerEpoch: 2 }))).toBe(
      '{"controller_epoch":2,"leader":1,"version":1,"leader_epoch":4,"isr":[1,2,3]}',
    );
    expect(TopicPartitionStateZNode.path('t', 3)).toBe('/brokers/topics/t/partitions/3/state');
  });
  it('decodes with the zkVersion', () => {
    expect(TopicPartitionStateZNode.decode('t', 0, b('{"controller_epoch":2,"leader":-1,"version":1,"leader_epoch":4,"isr":[]}'), 7)).toEqual({
      leader: -1,
      leaderEpoch: 4,
      isr: [],
      controllerEpoch: 2,
      zkVersion: 7,
    });
  });
});

describe('config znodes', () => {
  it('/config/topics/<t>', () => {
    expect(s(ConfigEntityZNode.encode({ 'retention.ms': '1000', 'cleanup.policy': 'compact' }))).toBe(
      '{"version":1,"config":{"retention.ms":"1000","cleanup.policy":"compact"}}',
    );
    expect(ConfigEntityZNode.decode('/config/topics/t', b('{"version":1,"config":{"a":"b"}}'))).toEqual({ a: 'b' });
    expect(ConfigEntityZNode.decode('/config/topics/t', null)).toEqual({});
  });
  it('/config/changes/config_change_<seq>', () => {
    expect(s(ConfigEntityChangeNotificationSequenceZNode.encode('topics', 'orders'))).toBe(
      '{"version":2,"entity_path":"topics/orders"}',
    );
    const p = '/config/changes/config_change_0000000003';
    expect(ConfigEntityChangeNotificationSequenceZNode.decode(p, b('{"version":2,"entity_path":"brokers/<default>"}'))).toEqual({
      entityType: 'brokers',
      name: '<default>',
    });
    expect(ConfigEntityChangeNotificationSequenceZNode.decode(p, b('{"version":2,"entity_path":"users/alice"}'))).toBeNull();
    expect(ConfigEntityChangeNotificationSequenceZNode.decode(p, b('{"version":1,"entity_type":"topics","entity_name":"t"}'))).toEqual({
      entityType: 'topics',
      name: 't',
    });
    expect(ConfigEntityChangeNotificationSequenceZNode.sequenceOf('config_change_0000000042')).toBe(42);
  });
});

describe('admin znodes', () => {
  it('/admin/preferred_replica_election', () => {
    const enc = '{"version":1,"partitions":[{"topic":"t","partition":0},{"topic":"u-1","partition":2}]}';
    const list = [
      { topic: 't', partition: 0 },
      { topic: 'u-1', partition: 2 },
    ];
    expect(s(PreferredReplicaElectionZNode.encode(list))).toBe(enc);
    expect(PreferredReplicaElectionZNode.decode(b(enc))).toEqual(list);
  });
  it('/admin/reassign_partitions', () => {
    const enc = '{"version":1,"partitions":[{"topic":"my-topic","partition":0,"replicas":[1,2]}]}';
    expect(s(ReassignPartitionsZNode.encode(new Map([['my-topic-0', [1, 2]]])))).toBe(enc);
    expect([...ReassignPartitionsZNode.decode(b(enc))]).toEqual([['my-topic-0', [1, 2]]]);
  });
  it('splits topic-partition keys at the last dash', () => {
    expect(splitTopicPartitionKey('a-b-c-12')).toEqual({ topic: 'a-b-c', partition: 12 });
  });
  it('rejects malformed data with the path in the message', () => {
    expect(() => ControllerZNode.decode(b('{nope'))).toThrow(/\/controller/);
    expect(() => TopicPartitionStateZNode.decode('t', 0, b('{"leader":"x"}'), 0)).toThrow(ZNodeDecodeError);
  });
});

describe('parseConnectString', () => {
  it('splits hosts and chroot', () => {
    expect(parseConnectString('127.0.0.1:2181/brook')).toEqual({ hosts: '127.0.0.1:2181', chroot: '/brook' });
    expect(parseConnectString('a:1,b:2/x/y/')).toEqual({ hosts: 'a:1,b:2', chroot: '/x/y' });
    expect(parseConnectString('a:1')).toEqual({ hosts: 'a:1', chroot: '' });
  });
});
