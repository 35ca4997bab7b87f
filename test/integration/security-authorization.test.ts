// Authorization and quotas enforced by real brokers for real clients: a 3-broker cluster with Kafka's AclAuthorizer and
// allow.everyone.if.no.acl.found=true. PLAINTEXT clients are User:ANONYMOUS, so denials are DENY ACLs for ANONYMOUS
// (or ACLs for another principal, which take away the no-ACL allowance). kafkajs gets TOPIC_AUTHORIZATION_FAILED on a
// denied produce (literal and prefixed ACLs), a consumer without READ on its group cannot join
// (GROUP_AUTHORIZATION_FAILED), an ACL added with `brook acls` hides a topic on every broker within 1 s, and a kafkajs
// producer over producer_byte_rate is held to its quota and sees throttle_time_ms in the Produce responses.
import { Kafka, logLevel, type logCreator } from 'kafkajs';
import { runBrook, startCluster, waitFor, type TestCluster } from '../harness';
import { AdminClient } from '../../src/client';
import { DescribeClientQuotas, Metadata, Produce } from '../../src/protocol/messages';
import { buildRecordBatchSync } from '../../src/protocol/record/records';
import { ErrorCode } from '../../src/protocol/errors';

jest.setTimeout(180_000);

describe('authorization and quotas on a real cluster', () => {
  let cluster: TestCluster;
  let admin: AdminClient;
  const brook = async (...args: string[]) => {
    const r = await runBrook([...args, '--bootstrap-server', cluster.bootstrap]);
    if (r.code !== 0) throw new Error(`brook ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  // Producers do not retry (a refusal is the answer under test); consumers keep kafkajs's retries, which the
  // coordinator's start (COORDINATOR_NOT_AVAILABLE while __consumer_offsets is created) needs.
  const kafka = (clientId: string, opts: { logCreator?: logCreator; retries?: number } = {}) => new Kafka({
    clientId, brokers: cluster.bootstrap.split(','), logLevel: opts.logCreator ? logLevel.DEBUG : logLevel.NOTHING, logCreator: opts.logCreator,
    retry: opts.retries === undefined ? undefined : { retries: opts.retries },
  });
  const createTopics = async (...topics: string[]) => {
    const kadmin = kafka('authz-admin').admin();
    await kadmin.connect();
    try {
      await kadmin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 3 })), waitForLeaders: true });
    } finally {
      await kadmin.disconnect();
    }
  };
  /** The error type of a kafkajs send, or 'ok'. */
  /** Waits until every broker knows a client-id quota. */
  const quotaKnownEverywhere = async (clientId: string, key: string, value: number) => {
    for (const id of [1, 2, 3]) {
      await waitFor(async () => {
        const { response } = await admin.send(id, DescribeClientQuotas, () => ({ components: [{ entityType: 'client-id', matchType: 0, match: clientId }], strict: false }));
        return (response.entries ?? []).some((e) => e.values.some((v) => v.key === key && v.value === value));
      }, { timeoutMs: 5000, what: `broker ${id} to know the quota of ${clientId}` });
    }
  };
  const sendOutcome = async (producer: ReturnType<Kafka['producer']>, topic: string): Promise<string> => {
    try {
      await producer.send({ topic, acks: -1, messages: [{ value: 'v' }] });
      return 'ok';
    } catch (e) {
      return (e as { type?: string }).type ?? String(e);
    }
  };

  beforeAll(async () => {
    cluster = await startCluster({
      brokers: 3,
      overrides: { 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer', 'allow.everyone.if.no.acl.found': 'true', 'super.users': 'User:admin' },
    });
    admin = await AdminClient.connect(cluster.bootstrap);
  });
  afterAll(async () => {
    admin?.close();
    await cluster?.teardown();
  });

  test('kafkajs producer: literal and prefixed DENY on WRITE give TOPIC_AUTHORIZATION_FAILED; an ALLOW for someone else takes the no-ACL allowance away', async () => {
    await createTopics('orders', 'blocked-a', 'team-a');
    // Once an ACL matches a topic, allow.everyone.if.no.acl.found no longer applies to it: the producer is given
    // DESCRIBE (else Metadata already refuses the topic, before any Produce), as a real deployment would.
    for (const prefix of ['blocked-', 'team-']) {
      await brook('acls', '--add', '--allow-principal', 'User:ANONYMOUS', '--operation', 'Describe', '--topic', prefix, '--resource-pattern-type', 'prefixed');
    }
    await brook('acls', '--add', '--deny-principal', 'User:ANONYMOUS', '--operation', 'Write', '--topic', 'blocked-', '--resource-pattern-type', 'prefixed');
    await brook('acls', '--add', '--allow-principal', 'User:alice', '--operation', 'Write', '--topic', 'team-', '--resource-pattern-type', 'prefixed');
    const producer = kafka('authz-producer', { retries: 0 }).producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      // Every broker applies the ACLs; the leaders may be any of them.
      await waitFor(async () => (await sendOutcome(producer, 'blocked-a')) === 'TOPIC_AUTHORIZATION_FAILED', { timeoutMs: 5000, what: 'the prefixed DENY to apply' });
      expect(await sendOutcome(producer, 'team-a')).toBe('TOPIC_AUTHORIZATION_FAILED');
      expect(await sendOutcome(producer, 'orders')).toBe('ok');
      // A literal DENY on one topic.
      await brook('acls', '--add', '--allow-principal', 'User:ANONYMOUS', '--operation', 'Describe', '--topic', 'orders');
      await brook('acls', '--add', '--deny-principal', 'User:ANONYMOUS', '--operation', 'Write', '--topic', 'orders');
      await waitFor(async () => (await sendOutcome(producer, 'orders')) === 'TOPIC_AUTHORIZATION_FAILED', { timeoutMs: 5000, what: 'the literal DENY to apply' });
      await brook('acls', '--remove', '--force', '--topic', 'orders');
      await waitFor(async () => (await sendOutcome(producer, 'orders')) === 'ok', { timeoutMs: 5000, what: 'the DENY to be removed' });
    } finally {
      await producer.disconnect();
    }
  });

  test('a kafkajs consumer whose group it may not READ cannot join (GROUP_AUTHORIZATION_FAILED); an allowed group consumes', async () => {
    await createTopics('events');
    const producer = kafka('authz-events').producer();
    await producer.connect();
    await producer.send({ topic: 'events', acks: -1, messages: [{ value: 'hello' }] });
    await producer.disconnect();
    // An allowed group first (this also creates __consumer_offsets): join, fetch and commit pass their checks.
    const open = kafka('authz-open').consumer({ groupId: 'open-group' });
    const got = new Promise<string>((resolve) => {
      void open.connect().then(() => open.subscribe({ topic: 'events', fromBeginning: true })).then(() => open.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }));
    });
    try {
      expect(await got).toBe('hello');
    } finally {
      await open.disconnect();
    }

    // DESCRIBE is allowed, so FindCoordinator answers and the refusal comes from JoinGroup itself.
    await brook('acls', '--add', '--allow-principal', 'User:ANONYMOUS', '--operation', 'Describe', '--group', 'locked');
    await brook('acls', '--add', '--deny-principal', 'User:ANONYMOUS', '--operation', 'Read', '--group', 'locked');
    const locked = kafka('authz-locked').consumer({ groupId: 'locked' });
    const crashed = new Promise<{ type?: string }>((resolve) => locked.on(locked.events.CRASH, (e) => resolve(e.payload.error as { type?: string })));
    await locked.connect();
    await locked.subscribe({ topic: 'events', fromBeginning: true });
    await locked.run({ eachMessage: async () => undefined });
    try {
      expect((await crashed).type).toBe('GROUP_AUTHORIZATION_FAILED');
    } finally {
      await locked.disconnect();
    }
  });

  test('an ACL added with brook acls takes effect on every broker within 1 s: a topic without DESCRIBE leaves Metadata', async () => {
    await createTopics('hidden');
    const visible = async (id: number) => {
      const { response } = await admin.send(id, Metadata, () => ({ topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }));
      return response.topics.some((t) => t.name === 'hidden');
    };
    for (const id of [1, 2, 3]) expect(await visible(id)).toBe(true);
    await brook('acls', '--add', '--deny-principal', 'User:ANONYMOUS', '--operation', 'Describe', '--topic', 'hidden');
    const t0 = Date.now();
    const hiddenAfter = await Promise.all([1, 2, 3].map((id) => waitFor(async () => (!(await visible(id)) ? Date.now() - t0 : undefined), { timeoutMs: 5000, intervalMs: 20, what: `broker ${id} to hide the topic` })));
    for (const ms of hiddenAfter) expect(ms).toBeLessThan(1000);
    // Asked for by name, it is refused without saying whether it exists.
    const { response } = await admin.send(2, Metadata, () => ({ topics: [{ name: 'hidden' }, { name: 'no-such-topic' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }));
    expect(response.topics.map((t) => [t.name, t.errorCode, t.partitions.length])).toEqual([
      ['no-such-topic', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0],
      ['hidden', ErrorCode.TOPIC_AUTHORIZATION_FAILED, 0],
    ]);
  });

  test('a kafkajs producer over producer_byte_rate is held to the quota and sees throttle_time_ms > 0', async () => {
    const quota = 100 * 1024;
    const clientId = 'quota-app';
    await createTopics('quota-topic');
    await brook('configs', '--entity-type', 'clients', '--entity-name', clientId, '--alter', '--add-config', `producer_byte_rate=${quota}`);
    await quotaKnownEverywhere(clientId, 'producer_byte_rate', quota);
    // The throttle times the producer's Produce responses carried, from kafkajs's own response log.
    const throttles: number[] = [];
    // kafkajs (KIP-219) reports a v6+ Produce response's throttle_time_ms as clientSideThrottleTime.
    const capture: logCreator = () => ({ log }) => {
      const entry = log as { message?: string; data?: { clientSideThrottleTime?: number } };
      if (entry.message?.startsWith('Response Produce') && typeof entry.data?.clientSideThrottleTime === 'number') throttles.push(entry.data.clientSideThrottleTime);
    };
    const producer = kafka(clientId, { logCreator: capture, retries: 0 }).producer({ retry: { retries: 0 } });
    await producer.connect();
    const value = Buffer.alloc(8 * 1024, 7);
    // One quota window (quota.window.num × quota.window.size.seconds = 11 s): the rate Kafka's quota bounds is the
    // bytes over that window, which a producer sending as fast as it is let holds at the quota.
    const windowMs = 11_000;
    let sent = 0;
    const t0 = Date.now();
    try {
      while (Date.now() - t0 < windowMs) {
        await producer.send({ topic: 'quota-topic', acks: 1, messages: [{ value }] });
        sent += value.length;
      }
    } finally {
      await producer.disconnect();
    }
    const elapsedMs = Date.now() - t0;
    const rate = sent / (elapsedMs / 1000);
    // Reported in the test output: the measured figures.
    process.stdout.write(`quota ${quota} B/s: sent ${sent} B in ${elapsedMs} ms = ${rate.toFixed(0)} B/s (${((rate / quota) * 100).toFixed(1)}% of quota); ` +
      `${throttles.filter((t) => t > 0).length}/${throttles.length} responses throttled, max ${Math.max(...throttles)} ms\n`);
    expect(Math.abs(rate - quota) / quota).toBeLessThan(0.1);
    expect(throttles.some((t) => t > 0)).toBe(true);
  });

  test('a client that ignores throttle_time_ms is not read for that long: the broker mutes its connection (KIP-219)', async () => {
    const quota = 100 * 1024;
    const clientId = 'mute-app';
    await createTopics('mute-topic');
    await brook('configs', '--entity-type', 'clients', '--entity-name', clientId, '--alter', '--add-config', `producer_byte_rate=${quota}`);
    await quotaKnownEverywhere(clientId, 'producer_byte_rate', quota);
    const client = await AdminClient.connect(cluster.bootstrap, { clientId });
    try {
      await client.topic('mute-topic');
      const leader = client.leaderOf('mute-topic', 0);
      const produce = async (bytes: number) => {
        const records = buildRecordBatchSync({ records: [{ key: null, value: Buffer.alloc(bytes, 1) }] });
        const { response } = await client.send(leader, Produce, () => ({ transactionalId: null, acks: 1, timeoutMs: 30_000, topicData: [{ name: 'mute-topic', partitionData: [{ index: 0, records }] }] }));
        expect(response.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
        return { throttleTimeMs: response.throttleTimeMs, at: Date.now() };
      };
      // 900 KB in a fresh window (10 s minimum): 90% of the quota, not throttled.
      expect((await produce(900 * 1024)).throttleTimeMs).toBe(0);
      // 1.2 MB over 10 s = 120% of the quota: throttled about (1.2 − 1) × 10 s = 2 s.
      const over = await produce(300 * 1024);
      expect(over.throttleTimeMs).toBeGreaterThan(1500);
      // Brook's client does not wait out the throttle: the broker does not read the next request until it has passed.
      const next = await produce(1024);
      expect(next.at - over.at).toBeGreaterThanOrEqual(over.throttleTimeMs - 50);
    } finally {
      client.close();
    }
  });
});
