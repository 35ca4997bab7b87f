// The ACL and user/client config znodes byte for byte as Kafka 2.8 writes them (ZkData.scala, AclEntry.scala), and
// Kafka's own test JSON parsed.
import { AclChangeNotificationZNode, EntityConfigNotification, ResourceZNode, entityPathString, notificationEntityPath, parseEntityPath } from '../../../src/zk/securityZnodes';
import { ConfigEntityZNode } from '../../../src/zk/znodes';

describe('ACL znodes', () => {
  test('paths: PascalCase resource types under /kafka-acl and /kafka-acl-extended/prefixed', () => {
    expect(ResourceZNode.path({ resourceType: 'TOPIC', name: 'orders', patternType: 'LITERAL' })).toBe('/kafka-acl/Topic/orders');
    expect(ResourceZNode.path({ resourceType: 'TRANSACTIONAL_ID', name: 'tx', patternType: 'PREFIXED' })).toBe('/kafka-acl-extended/prefixed/TransactionalId/tx');
    expect(ResourceZNode.path({ resourceType: 'CLUSTER', name: 'kafka-cluster', patternType: 'LITERAL' })).toBe('/kafka-acl/Cluster/kafka-cluster');
  });

  test('encode is byte-identical to Kafka AclEntry.toJsonCompatibleMap', () => {
    const bytes = ResourceZNode.encode([
      { principal: 'User:alice', host: '*', operation: 'READ', permissionType: 'ALLOW' },
      { principal: 'User:bob', host: '10.0.0.1', operation: 'CLUSTER_ACTION', permissionType: 'DENY' },
    ]);
    expect(bytes.toString('utf8')).toBe(
      '{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"},' +
      '{"principal":"User:bob","permissionType":"Deny","operation":"ClusterAction","host":"10.0.0.1"}]}',
    );
  });

  test("decodes Kafka's AclEntryTest JSON (mixed case, extra spaces)", () => {
    const kafkaJson = `{"version": 1, "acls": [{"host": "host1","permissionType": "Deny","operation": "READ", "principal": "User:alice"  },
    {  "host":  "*" ,  "permissionType": "Allow",  "operation":  "Read", "principal": "User:bob"  },
    {  "host": "host1",  "permissionType": "Deny",  "operation":   "Read" ,  "principal": "User:bob"}]}`;
    expect(ResourceZNode.decode('/p', Buffer.from(kafkaJson))).toEqual([
      { principal: 'User:alice', host: 'host1', operation: 'READ', permissionType: 'DENY' },
      { principal: 'User:bob', host: '*', operation: 'READ', permissionType: 'ALLOW' },
      { principal: 'User:bob', host: 'host1', operation: 'READ', permissionType: 'DENY' },
    ]);
    expect(ResourceZNode.decode('/p', Buffer.alloc(0))).toEqual([]);
    expect(() => ResourceZNode.decode('/p', Buffer.from('{"version":2,"acls":[]}'))).toThrow(/version/);
  });

  test('change notifications: plain TOPIC:name for literal, JSON for prefixed', () => {
    expect(AclChangeNotificationZNode.createPath('LITERAL')).toBe('/kafka-acl-changes/acl_changes_');
    expect(AclChangeNotificationZNode.createPath('PREFIXED')).toBe('/kafka-acl-extended-changes/acl_changes_');
    expect(AclChangeNotificationZNode.encode({ resourceType: 'TOPIC', name: 'a:b', patternType: 'LITERAL' }).toString()).toBe('TOPIC:a:b');
    expect(AclChangeNotificationZNode.encode({ resourceType: 'GROUP', name: 'g', patternType: 'PREFIXED' }).toString())
      .toBe('{"version":1,"resourceType":"GROUP","name":"g","patternType":"PREFIXED"}');
    expect(AclChangeNotificationZNode.decode('LITERAL', '/p', Buffer.from('TRANSACTIONAL_ID:a:b'))).toEqual({ resourceType: 'TRANSACTIONAL_ID', name: 'a:b', patternType: 'LITERAL' });
    expect(AclChangeNotificationZNode.decode('PREFIXED', '/p', Buffer.from('{"version":1,"resourceType":"TOPIC","name":"x","patternType":"PREFIXED"}')))
      .toEqual({ resourceType: 'TOPIC', name: 'x', patternType: 'PREFIXED' });
    expect(() => AclChangeNotificationZNode.decode('LITERAL', '/p', Buffer.from('nocolon'))).toThrow();
  });
});

describe('user and client entity configs', () => {
  test('SCRAM credential config and its notification as Kafka writes them', () => {
    const cred = 'salt=c2FsdA==,stored_key=c3Q=,server_key=c3Y=,iterations=4096';
    expect(ConfigEntityZNode.encode({ 'SCRAM-SHA-256': cred }).toString()).toBe(`{"version":1,"config":{"SCRAM-SHA-256":"${cred}"}}`);
    expect(EntityConfigNotification.encode('users/alice').toString()).toBe('{"version":2,"entity_path":"users/alice"}');
  });

  test('entity paths round trip, defaults included', () => {
    for (const p of ['users/alice', 'clients/app', 'users/<default>/clients/<default>', 'users/a%40b/clients/c']) {
      expect(entityPathString(parseEntityPath(p)!)).toBe(p);
    }
    expect(parseEntityPath('topics/t')).toBeNull();
    expect(notificationEntityPath('/p', Buffer.from('{"version":1,"entity_type":"clients","entity_name":"app"}'))).toBe('clients/app');
  });
});
