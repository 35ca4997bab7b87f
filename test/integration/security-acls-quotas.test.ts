// ACLs, SCRAM credentials and client quotas on a real 3-broker cluster with Kafka's AclAuthorizer enabled: `brook acls`
// and `brook configs` round trips, the ZooKeeper znodes byte for byte as Kafka writes them, a change written straight
// to ZooKeeper in Kafka's format seen by every broker within 1 s, and a DENY taking effect on produce.
import { Kafka, logLevel } from 'kafkajs';
import { runBrook, startCluster, waitFor, type TestCluster } from '../harness';
import { AdminClient } from '../../src/client';
import { DescribeAcls, DescribeUserScramCredentials } from '../../src/protocol/messages';
import { credentialFromString } from '../../src/security/scram/credentials';
import { generateCredential } from '../../src/security/scram/formatter';
import type { KafkaZkClient } from '../../src/zk/KafkaZkClient';

jest.setTimeout(180_000);

describe('ACL authorizer, SCRAM credentials and quotas', () => {
  let cluster: TestCluster;
  let zk: KafkaZkClient;
  let admin: AdminClient;
  const brook = async (...args: string[]) => {
    const r = await runBrook([...args, '--bootstrap-server', cluster.bootstrap]);
    if (r.code !== 0) throw new Error(`brook ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  const data = async (path: string) => (await zk.zk.getData(path)).data?.toString('utf8');

  beforeAll(async () => {
    cluster = await startCluster({
      brokers: 3,
      // Connections are User:ANONYMOUS until authenticated listeners exist; resources without ACLs stay open.
      overrides: { 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer', 'allow.everyone.if.no.acl.found': 'true', 'super.users': 'User:admin' },
    });
    zk = await cluster.zkClient();
    admin = await AdminClient.connect(cluster.bootstrap);
  });
  afterAll(async () => {
    admin?.close();
    await cluster?.teardown();
  });

  test('brook acls --add/--list/--remove round trip, stored as Kafka stores it', async () => {
    const added = await brook('acls', '--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--topic', 'orders');
    expect(added).toBe(
      'Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: \n' +
      ' \t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW) \n\n' +
      'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: \n' +
      ' \t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW) \n\n',
    );
    expect(await data('/kafka-acl/Topic/orders')).toBe('{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"}]}');
    const changes = await zk.zk.getChildren('/kafka-acl-changes');
    expect(changes.some((c) => /^acl_changes_\d{10}$/.test(c))).toBe(true);
    const changeData = await Promise.all(changes.map((c) => data(`/kafka-acl-changes/${c}`)));
    expect(changeData).toContain('TOPIC:orders');

    await brook('acls', '--add', '--deny-principal', 'User:mallory', '--deny-host', '10.1.2.3', '--operation', 'Write', '--topic', 'ord', '--resource-pattern-type', 'prefixed');
    expect(await data('/kafka-acl-extended/prefixed/Topic/ord')).toBe('{"version":1,"acls":[{"principal":"User:mallory","permissionType":"Deny","operation":"Write","host":"10.1.2.3"}]}');
    const extChanges = await zk.zk.getChildren('/kafka-acl-extended-changes');
    const extData = await Promise.all(extChanges.map((c) => data(`/kafka-acl-extended-changes/${c}`)));
    expect(extData).toContain('{"version":1,"resourceType":"TOPIC","name":"ord","patternType":"PREFIXED"}');

    // MATCH lists every pattern that applies to "orders": the literal one and the "ord" prefix.
    const matched = await brook('acls', '--list', '--topic', 'orders', '--resource-pattern-type', 'match');
    expect(matched).toContain('Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=ord, patternType=PREFIXED)`: \n \t(principal=User:mallory, host=10.1.2.3, operation=WRITE, permissionType=DENY) \n');
    expect(matched).toContain('Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: \n \t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW) \n');

    const removed = await brook('acls', '--remove', '--force', '--topic', 'ord', '--resource-pattern-type', 'prefixed');
    expect(removed).not.toContain('name=ord,');
    expect(await zk.zk.exists('/kafka-acl-extended/prefixed/Topic/ord')).toBeNull();
    // --remove of one principal's ACL leaves the others.
    await brook('acls', '--add', '--allow-principal', 'User:bob', '--operation', 'Describe', '--topic', 'orders');
    await brook('acls', '--remove', '--force', '--allow-principal', 'User:alice', '--operation', 'Read', '--topic', 'orders');
    expect(await data('/kafka-acl/Topic/orders')).toBe('{"version":1,"acls":[{"principal":"User:bob","permissionType":"Allow","operation":"Describe","host":"*"}]}');
    await brook('acls', '--remove', '--force', '--topic', 'orders');
    expect(await zk.zk.exists('/kafka-acl/Topic/orders')).toBeNull();
  });

  test("an ACL written straight to ZooKeeper in Kafka's format is seen by every broker within 1 s", async () => {
    await zk.zk.createRecursive('/kafka-acl/Group');
    const t0 = Date.now();
    await zk.zk.create('/kafka-acl/Group/direct', Buffer.from('{"version":1,"acls":[{"principal":"User:carol","permissionType":"Allow","operation":"Read","host":"*"}]}'));
    await zk.zk.create('/kafka-acl-changes/acl_changes_', Buffer.from('GROUP:direct'), 'persistentSequential');
    const seenBy = await Promise.all([1, 2, 3].map((id) => waitFor(async () => {
      const { response } = await admin.send(id, DescribeAcls, () => ({
        resourceTypeFilter: 3, resourceNameFilter: 'direct', patternTypeFilter: 3, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1,
      }));
      return response.resources[0]?.acls[0]?.principal === 'User:carol' ? Date.now() - t0 : undefined;
    }, { timeoutMs: 5000, intervalMs: 20, what: `broker ${id} to see the ACL written to ZooKeeper` })));
    for (const ms of seenBy) expect(ms).toBeLessThan(1000);
  });

  test('a DENY added through one broker makes produce fail with TOPIC_AUTHORIZATION_FAILED on the leader', async () => {
    const kafka = new Kafka({ clientId: 'acl-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const kadmin = kafka.admin();
    await kadmin.connect();
    await kadmin.createTopics({ topics: [{ topic: 'secret', numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
    await kadmin.disconnect();
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      await producer.send({ topic: 'secret', messages: [{ partition: 0, value: 'allowed' }, { partition: 1, value: 'a' }, { partition: 2, value: 'b' }] });
      await brook('acls', '--add', '--deny-principal', 'User:ANONYMOUS', '--operation', 'Write', '--topic', 'secret');
      const err = await waitFor(async () => {
        try {
          await producer.send({ topic: 'secret', messages: [{ partition: 0, value: 'x' }, { partition: 1, value: 'y' }, { partition: 2, value: 'z' }] });
          return undefined;
        } catch (e) {
          return e as { type?: string };
        }
      }, { timeoutMs: 5000, what: 'produce to be refused' });
      expect(err.type).toBe('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await producer.disconnect();
    }
  });

  test("SCRAM credentials set with brook configs land in ZooKeeper in Kafka's format and every broker reports them", async () => {
    const out = await brook('configs', '--entity-type', 'users', '--entity-name', 'alice', '--alter', '--add-config', 'SCRAM-SHA-256=[password=alice-secret],SCRAM-SHA-512=[iterations=8192,password=alice-512]');
    expect(out).toBe('Completed updating config for user alice.\n');
    const znode = JSON.parse((await data('/config/users/alice'))!) as { version: number; config: Record<string, string> };
    expect(znode.version).toBe(1);
    expect(Object.keys(znode.config).sort()).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-512']);
    for (const [mechanism, password, iterations] of [['SCRAM-SHA-256', 'alice-secret', 4096], ['SCRAM-SHA-512', 'alice-512', 8192]] as const) {
      const text = znode.config[mechanism]!;
      expect(text).toMatch(/^salt=[A-Za-z0-9+/=]+,stored_key=[A-Za-z0-9+/=]+,server_key=[A-Za-z0-9+/=]+,iterations=\d+$/);
      const cred = credentialFromString(text);
      expect(cred.iterations).toBe(iterations);
      expect(cred.salt.toString('utf8')).toMatch(/^[0-9a-z]+$/); // base-36 text, as Kafka's salts
      expect(generateCredential(mechanism, password, cred.salt, iterations)).toEqual(cred);
    }
    const notes = await zk.zk.getChildren('/config/changes');
    const noteData = await Promise.all(notes.map((n) => data(`/config/changes/${n}`)));
    expect(noteData).toContain('{"version":2,"entity_path":"users/alice"}');

    // Written by one broker (the controller), known to all through the notification.
    for (const id of [1, 2, 3]) {
      await waitFor(async () => {
        const { response } = await admin.send(id, DescribeUserScramCredentials, () => ({ users: [{ name: 'alice' }] }));
        const r = response.results[0];
        return r?.errorCode === 0 && r.credentialInfos.length === 2 ? true : undefined;
      }, { timeoutMs: 5000, what: `broker ${id} to know alice's credentials` });
    }
    const described = await brook('configs', '--entity-type', 'users', '--entity-name', 'alice', '--describe');
    expect(described).toBe("SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=4096, SCRAM-SHA-512=iterations=8192\n");

    await brook('configs', '--entity-type', 'users', '--entity-name', 'alice', '--alter', '--delete-config', 'SCRAM-SHA-512');
    expect(Object.keys((JSON.parse((await data('/config/users/alice'))!) as { config: object }).config)).toEqual(['SCRAM-SHA-256']);
  });

  test('brook configs --zookeeper writes a SCRAM user the brokers pick up without any request to them', async () => {
    const r = await runBrook(['configs', '--zookeeper', cluster.zkConnect, '--entity-type', 'users', '--entity-name', 'broker', '--alter', '--add-config', 'SCRAM-SHA-512=[password=broker-secret]']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("Completed updating config for entity: user-principal 'broker'.\n");
    const cred = credentialFromString((JSON.parse((await data('/config/users/broker'))!) as { config: Record<string, string> }).config['SCRAM-SHA-512']!);
    expect(generateCredential('SCRAM-SHA-512', 'broker-secret', cred.salt, 4096)).toEqual(cred);
    await waitFor(async () => {
      const { response } = await admin.send(2, DescribeUserScramCredentials, () => ({ users: null }));
      return response.results.some((x) => x.user === 'broker') ? true : undefined;
    }, { timeoutMs: 5000, what: 'broker 2 to list the user written to ZooKeeper' });
  });

  test('client quotas: brook configs sets, describes and deletes them through AlterClientQuotas/DescribeClientQuotas', async () => {
    expect(await brook('configs', '--entity-type', 'clients', '--entity-name', 'app', '--alter', '--add-config', 'producer_byte_rate=1024,consumer_byte_rate=2048'))
      .toBe('Completed updating config for client app.\n');
    expect(JSON.parse((await data('/config/clients/app'))!)).toEqual({ version: 1, config: { producer_byte_rate: '1024', consumer_byte_rate: '2048' } });
    await brook('configs', '--entity-type', 'users', '--entity-name', 'bob', '--entity-type', 'clients', '--entity-default', '--alter', '--add-config', 'request_percentage=12.5');
    expect(JSON.parse((await data('/config/users/bob/clients/<default>'))!)).toEqual({ version: 1, config: { request_percentage: '12.5' } });

    expect(await brook('configs', '--entity-type', 'clients', '--entity-name', 'app', '--describe'))
      .toBe("Quota configs for client-id 'app' are producer_byte_rate=1024.0, consumer_byte_rate=2048.0\n");
    expect(await brook('configs', '--entity-type', 'users', '--entity-name', 'bob', '--entity-type', 'clients', '--describe'))
      .toBe("Quota configs for user-principal 'bob', the default client-id are request_percentage=12.5\n");

    await brook('configs', '--entity-type', 'clients', '--entity-name', 'app', '--alter', '--delete-config', 'consumer_byte_rate');
    expect(JSON.parse((await data('/config/clients/app'))!)).toEqual({ version: 1, config: { producer_byte_rate: '1024' } });
    const bad = await runBrook(['configs', '--bootstrap-server', cluster.bootstrap, '--entity-type', 'clients', '--entity-name', 'app', '--alter', '--add-config', 'producer_byte_rate=1.5']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('producer_byte_rate must be a LONG value');
  });
});
