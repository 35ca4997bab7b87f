// ACLs through an independent client: kafka-python's admin (create_acls, describe_acls, delete_acls) against a Brook
// broker with the AclAuthorizer, checked from `brook acls --list` and from ZooKeeper.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runBrook, startCluster, type TestCluster } from '../harness';

const exec = promisify(execFile);
jest.setTimeout(120_000);

const SCRIPT = `
import sys, json
from kafka.admin import KafkaAdminClient, ACL, ACLFilter, ResourcePattern, ResourcePatternFilter, ACLOperation, ACLPermissionType, ResourceType, ACLResourcePatternType
a = KafkaAdminClient(bootstrap_servers=sys.argv[1], client_id='kp-acls')
op = sys.argv[2]
if op == 'create':
    acl = ACL(principal='User:dave', host='*', operation=ACLOperation.WRITE, permission_type=ACLPermissionType.ALLOW,
              resource_pattern=ResourcePattern(ResourceType.TOPIC, 'logs-', ACLResourcePatternType.PREFIXED))
    r = a.create_acls([acl])
    print(json.dumps({'failed': len(r['failed']), 'succeeded': len(r['succeeded'])}))
elif op == 'describe':
    acls, err = a.describe_acls(ACLFilter(principal=None, host=None, operation=ACLOperation.ANY, permission_type=ACLPermissionType.ANY,
                                          resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY)))
    print(json.dumps(sorted([[x.principal, x.host, x.operation.name, x.permission_type.name, x.resource_pattern.resource_type.name, x.resource_pattern.resource_name, x.resource_pattern.pattern_type.name] for x in acls])))
else:
    r = a.delete_acls([ACLFilter(principal='User:dave', host=None, operation=ACLOperation.ANY, permission_type=ACLPermissionType.ANY,
                                 resource_pattern=ResourcePatternFilter(ResourceType.TOPIC, 'logs-', ACLResourcePatternType.PREFIXED))])
    print(json.dumps([len(x[1]) for x in r]))
a.close()
`;

describe('ACLs with kafka-python', () => {
  let cluster: TestCluster;
  const py = async (op: string): Promise<unknown> => JSON.parse((await exec('/usr/bin/python3', ['-c', SCRIPT, cluster.bootstrap, op])).stdout);
  beforeAll(async () => {
    // Connections are User:ANONYMOUS until authenticated listeners exist; as a super user it may manage ACLs even
    // once the cluster resource has ACLs of its own (the IdempotentWrite one below).
    cluster = await startCluster({ brokers: 1, overrides: { 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer', 'super.users': 'User:ANONYMOUS' } });
  });
  afterAll(async () => {
    await cluster?.teardown();
  });

  test('a prefixed ACL created by kafka-python is listed by brook acls and stored under /kafka-acl-extended; brook ACLs are described by kafka-python', async () => {
    expect(await py('create')).toEqual({ failed: 0, succeeded: 1 });
    const listed = await runBrook(['acls', '--list', '--bootstrap-server', cluster.bootstrap]);
    expect(listed.stdout).toBe('Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=logs-, patternType=PREFIXED)`: \n \t(principal=User:dave, host=*, operation=WRITE, permissionType=ALLOW) \n\n');
    const zk = await cluster.zkClient();
    expect((await zk.zk.getData('/kafka-acl-extended/prefixed/Topic/logs-')).data?.toString()).toBe('{"version":1,"acls":[{"principal":"User:dave","permissionType":"Allow","operation":"Write","host":"*"}]}');

    const added = await runBrook(['acls', '--add', '--bootstrap-server', cluster.bootstrap, '--allow-principal', 'User:erin', '--operation', 'Read', '--group', 'g1']);
    expect(added.code).toBe(0);
    expect(await py('describe')).toEqual([
      ['User:dave', '*', 'WRITE', 'ALLOW', 'TOPIC', 'logs-', 'PREFIXED'],
      ['User:erin', '*', 'READ', 'ALLOW', 'GROUP', 'g1', 'LITERAL'],
    ]);
    expect(await py('delete')).toEqual([1]);
    expect(await zk.zk.exists('/kafka-acl-extended/prefixed/Topic/logs-')).toBeNull();
  });

  test('--producer --idempotent and --consumer add the ACLs kafka-acls.sh adds for them', async () => {
    const r = await runBrook(['acls', '--add', '--bootstrap-server', cluster.bootstrap, '--allow-principal', 'User:app', '--producer', '--idempotent', '--consumer', '--topic', 'events', '--group', 'app']);
    expect(r.code).toBe(0);
    const zk = await cluster.zkClient();
    const acls = async (p: string) => (JSON.parse((await zk.zk.getData(p)).data!.toString()) as { acls: Array<{ operation: string }> }).acls.map((a) => a.operation).sort();
    expect(await acls('/kafka-acl/Topic/events')).toEqual(['Create', 'Describe', 'Read', 'Write']);
    expect(await acls('/kafka-acl/Group/app')).toEqual(['Read']);
    expect(await acls('/kafka-acl/Cluster/kafka-cluster')).toEqual(['IdempotentWrite']);
    // Without --force, --remove asks and does nothing unless answered y.
    const kept = await runBrook(['acls', '--remove', '--bootstrap-server', cluster.bootstrap, '--group', 'app'], { input: 'n\n' });
    expect(kept.stdout).toContain('Are you sure you want to delete all ACLs for resource filter `ResourcePattern(resourceType=GROUP, name=app, patternType=LITERAL)`? (y/n)');
    expect(await zk.zk.exists('/kafka-acl/Group/app')).not.toBeNull();
    const removed = await runBrook(['acls', '--remove', '--bootstrap-server', cluster.bootstrap, '--group', 'app'], { input: 'y\n' });
    expect(removed.stderr).toBe('');
    expect(removed.stdout).not.toContain('Current ACLs for resource `ResourcePattern(resourceType=GROUP, name=app,');
    expect(await zk.zk.exists('/kafka-acl/Group/app')).toBeNull();
  });
});
