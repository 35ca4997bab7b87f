// @platformatic/kafka driven from its own process: the package is ESM-only, which Jest's CommonJS module loader
// cannot load, while Node 20's require(esm) can. The test sends one JSON command per stdin line and reads one JSON
// reply per stdout line ({ id, result } or { id, error }); consumers also print { event: 'message' } lines.
// bigints travel as { $bigint: "…" } and Maps as { $map: [[k, v], …] } in both directions.
import { channel } from 'node:diagnostics_channel';
import { createInterface } from 'node:readline';
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers, type Message, type MessagesStream } from '@platformatic/kafka';

type Json = unknown;

const bootstrapBrokers = (process.argv[2] ?? '').split(',');

function encode(v: unknown): Json {
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (v instanceof Map) return { $map: [...v.entries()].map(([k, x]) => [encode(k), encode(x)]) };
  if (v instanceof Set) return [...v].map(encode);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (Array.isArray(v)) return v.map(encode);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => typeof x !== 'function').map(([k, x]) => [k, encode(x)]));
  }
  return v;
}

function decode(v: Json): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, Json>;
    if (typeof o.$bigint === 'string') return BigInt(o.$bigint);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
  }
  return v;
}

function write(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(encode(line))}\n`);
}

function describeError(e: unknown): Record<string, unknown> {
  const err = e as Error & { code?: string; apiCode?: number; apiId?: string; errors?: unknown[]; response?: unknown };
  return {
    message: err.message,
    code: err.code,
    apiCode: err.apiCode,
    apiId: err.apiId,
    errors: Array.isArray(err.errors) ? err.errors.map(describeError) : undefined,
    response: err.response,
  };
}

// Every request the client sends, by API key: the versions it chose from the brokers' ApiVersions.
const versionsSent = new Map<number, Set<number>>();
channel('tracing:plt:kafka:connections:api:start').subscribe((message) => {
  const { apiKey, apiVersion } = message as { apiKey: number; apiVersion: number };
  versionsSent.set(apiKey, (versionsSent.get(apiKey) ?? new Set()).add(apiVersion));
});

const admin = new Admin({ clientId: 'plt-admin', bootstrapBrokers, retries: 5, retryDelay: 300 });
const producer = new Producer({ clientId: 'plt-producer', bootstrapBrokers, serializers: stringSerializers, retries: 10, retryDelay: 300 });
const idempotentProducer = new Producer({ clientId: 'plt-idempotent', bootstrapBrokers, serializers: stringSerializers, idempotent: true, retries: 10, retryDelay: 300 });

interface RunningConsumer {
  consumer: Consumer<string, string, string, string>;
  stream: MessagesStream<string, string, string, string>;
}
const consumers = new Map<string, RunningConsumer>();

type Args = Record<string, unknown>;

async function startConsumer(a: Args): Promise<unknown> {
  const name = a.name as string;
  const consumer = new Consumer<string, string, string, string>({
    clientId: `plt-${name}`,
    groupId: a.groupId as string,
    bootstrapBrokers,
    deserializers: stringDeserializers,
    sessionTimeout: 6000,
    heartbeatInterval: 500,
    rebalanceTimeout: 10000,
    maxWaitTime: 500,
    retries: 10,
    retryDelay: 300,
  });
  consumer.on('consumer:group:join', (p: { memberId: string; assignments?: unknown }) => write({ event: 'join', consumer: name, memberId: p.memberId, assignments: p.assignments }));
  const stream = await consumer.consume({ topics: a.topics as string[], mode: 'committed', fallbackMode: 'earliest', autocommit: false });
  // Each message is committed before it is reported, so what a consumer reported is what its group has committed.
  stream.on('data', (m: Message<string, string, string, string>) => {
    void Promise.resolve(m.commit()).then(
      () => write({ event: 'message', consumer: name, topic: m.topic, partition: m.partition, offset: m.offset, key: m.key, value: m.value }),
      (e: unknown) => write({ event: 'commitError', consumer: name, error: describeError(e) }),
    );
  });
  stream.on('error', (e: unknown) => write({ event: 'streamError', consumer: name, error: describeError(e) }));
  consumers.set(name, { consumer, stream });
  return { memberId: consumer.memberId };
}

async function stopConsumer(a: Args): Promise<unknown> {
  const c = consumers.get(a.name as string);
  if (!c) throw new Error(`no consumer ${String(a.name)}`);
  consumers.delete(a.name as string);
  await c.stream.close();
  await c.consumer.close();
  return null;
}

async function run(op: string, a: Args): Promise<unknown> {
  switch (op) {
    case 'admin': {
      const method = a.method as keyof Admin;
      const fn = admin[method] as unknown as (o: unknown) => Promise<unknown>;
      return fn.call(admin, a.options);
    }
    case 'produce':
      return producer.send(a.options as Parameters<typeof producer.send>[0]);
    case 'produceIdempotent': {
      const result = await idempotentProducer.send(a.options as Parameters<typeof idempotentProducer.send>[0]);
      return { ...result, producerId: idempotentProducer.producerId, producerEpoch: idempotentProducer.producerEpoch };
    }
    case 'startConsumer':
      return startConsumer(a);
    case 'stopConsumer':
      return stopConsumer(a);
    case 'versionsSent':
      return Object.fromEntries([...versionsSent].map(([k, vs]) => [k, [...vs].sort((x, y) => x - y)]));
    case 'close':
      for (const name of [...consumers.keys()]) await stopConsumer({ name });
      await producer.close();
      await idempotentProducer.close();
      await admin.close();
      return null;
    default:
      throw new Error(`unknown op ${op}`);
  }
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const cmd = decode(JSON.parse(line)) as { id: number; op: string; args?: Args };
  run(cmd.op, cmd.args ?? {}).then(
    (result) => write({ id: cmd.id, result }),
    (e: unknown) => write({ id: cmd.id, error: describeError(e) }),
  );
});
rl.on('close', () => process.exit(0));
write({ event: 'ready' });
