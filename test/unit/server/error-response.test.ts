// Unexpected handler failures are answered (UNKNOWN_SERVER_ERROR for each thing asked about) instead of closing
// the connection, and the answer is a valid response of the request's version.
import { decodeResponse, encodeRequest, encodeResponse, readRequestHeader } from '../../../src/protocol/codec';
import { ErrorCode } from '../../../src/protocol/errors';
import { DeleteTopics, Fetch, Metadata, Produce } from '../../../src/protocol/messages';
import type { ApiSchema } from '../../../src/protocol/schema';
import { buildConfig, KafkaConfig } from '../../../src/config/KafkaConfig';
import { MetadataCache } from '../../../src/server/MetadataCache';
import { errorResponseFor } from '../../../src/server/errorResponse';
import { handlersByKey } from '../../../src/server/handlers/registry';
import { createRequestProcessor } from '../../../src/server/RequestProcessor';
import { CloseConnection, type ConnectionContext } from '../../../src/network/SocketServer';
import { rootLogger } from '../../../src/util/logger';
import { randomMessage, rng } from '../protocol/random-message';

type Obj = Record<string, unknown>;
const flat = (o: Buffer | Buffer[]): Buffer => (Buffer.isBuffer(o) ? o : Buffer.concat(o));

/** Every errorCode anywhere in a decoded message. */
function errorCodes(v: unknown, out: number[] = []): number[] {
  if (Array.isArray(v)) v.forEach((x) => errorCodes(x, out));
  else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) {
    for (const [k, x] of Object.entries(v as Obj)) {
      if (k === 'errorCode' && typeof x === 'number') out.push(x);
      else errorCodes(x, out);
    }
  }
  return out;
}

describe('errorResponseFor', () => {
  test('for every served API and version: a decodable response whose error codes are all the given code', () => {
    const r = rng(4242);
    let answered = 0;
    for (const h of handlersByKey.values()) {
      for (let v = h.versions[0]; v <= h.versions[1]; v++) {
        for (let i = 0; i < 10; i++) {
          const req = randomMessage(h.api, v, 'request', r);
          const resp = errorResponseFor(h.api as ApiSchema, v, req, ErrorCode.UNKNOWN_SERVER_ERROR, 'boom');
          if (resp === null) continue;
          answered++;
          // Valid at this version: it encodes, decodes, and re-encodes to the same bytes.
          const frame = encodeResponse(h.api, v, 7, resp as never);
          const decoded = decodeResponse(h.api, v, frame.subarray(4)).body;
          expect(encodeResponse(h.api, v, 7, decoded as never).equals(frame)).toBe(true);
          // Every error code it sets is the one given (the decoder fills fields absent at a version with 0).
          const codes = errorCodes(resp);
          expect(codes.length).toBeGreaterThan(0);
          expect({ api: h.api.name, v, codes: [...new Set(codes)] }).toEqual({ api: h.api.name, v, codes: [ErrorCode.UNKNOWN_SERVER_ERROR] });
        }
      }
    }
    expect(answered).toBeGreaterThan(500);
  });

  test('Produce: one error per partition asked for, keyed by topic name and partition index', () => {
    const req = { acks: -1, timeoutMs: 1000, transactionalId: null, topicData: [
      { name: 'a', partitionData: [{ index: 0, records: null }, { index: 3, records: null }] },
      { name: 'b', partitionData: [{ index: 1, records: null }] },
    ] };
    const resp = errorResponseFor(Produce, 7, req, ErrorCode.UNKNOWN_SERVER_ERROR, 'boom') as Obj;
    const decoded = decodeResponse(Produce, 7, encodeResponse(Produce, 7, 1, resp as never).subarray(4)).body;
    expect(decoded.responses.map((t) => [t.name, t.partitionResponses.map((p) => [p.index, p.errorCode])])).toEqual([
      ['a', [[0, -1], [3, -1]]],
      ['b', [[1, -1]]],
    ]);
  });

  test('DeleteTopics v4 (a list of names): one result per name', () => {
    const resp = errorResponseFor(DeleteTopics, 4, { topicNames: ['x', 'y'], timeoutMs: 100 }, ErrorCode.UNKNOWN_SERVER_ERROR, 'boom') as Obj;
    const decoded = decodeResponse(DeleteTopics, 4, encodeResponse(DeleteTopics, 4, 1, resp as never).subarray(4)).body;
    expect(decoded.responses.map((r) => [r.name, r.errorCode])).toEqual([['x', -1], ['y', -1]]);
  });

  test('Metadata for all topics cannot carry an error: null (the connection is closed instead)', () => {
    expect(errorResponseFor(Metadata, 9, { topics: null, allowAutoTopicCreation: true }, -1, 'boom')).toBeNull();
  });
});

describe('RequestProcessor: a handler that throws', () => {
  const config = new KafkaConfig(buildConfig(new Map([['broker.id', '1'], ['zookeeper.connect', 'localhost:1'], ['log.dirs', '/tmp/unused']])));
  const conn = { id: 1, remoteAddress: '127.0.0.1', closeAfterPending: () => undefined } as unknown as ConnectionContext;
  // A replica manager whose lookups fail the way a programming error would.
  const broken = { getPartition: () => { throw new TypeError('cannot read properties of undefined'); } };
  const logger = rootLogger.child({});
  logger.level = 'silent';
  const process = createRequestProcessor({ brokerId: 1, config, metadataCache: new MetadataCache('c', 1), services: { replicaManager: broken } as never, logger });

  const produce = (acks: number): Buffer => encodeRequest(Produce, 7, { correlationId: 9, clientId: 't' }, {
    acks, timeoutMs: 1000, transactionalId: null, topicData: [{ name: 'orders', partitionData: [{ index: 2, records: null }] }],
  }).subarray(4);

  test('answers UNKNOWN_SERVER_ERROR for each partition, with the correlation id', async () => {
    const out = await process(produce(1), conn);
    expect(out).not.toBeNull();
    const { correlationId, body: r } = decodeResponse(Produce, 7, flat(out!).subarray(4));
    expect(correlationId).toBe(9);
    expect(r.responses).toEqual([expect.objectContaining({ name: 'orders', partitionResponses: [expect.objectContaining({ index: 2, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR })] })]);
  });

  test('acks=0 produce gets no answer: the connection is closed', async () => {
    await expect(process(produce(0), conn)).rejects.toBeInstanceOf(CloseConnection);
  });

  test('Fetch (v7+, top-level error code) is answered too', async () => {
    const frame = encodeRequest(Fetch, 11, { correlationId: 3, clientId: 't' }, {
      replicaId: -1, maxWaitMs: 10, minBytes: 1, maxBytes: 1000, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'orders', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1000 }] }],
      forgottenTopicsData: [], rackId: '',
    }).subarray(4);
    expect(readRequestHeader(frame).apiKey).toBe(1);
    const out = await process(frame, conn);
    if (out === null) throw new Error('no answer');
    const r = decodeResponse(Fetch, 11, flat(out).subarray(4)).body;
    expect(r.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    expect(r.responses.map((t) => [t.topic, t.partitionResponses.map((p) => [p.partition, p.errorCode])])).toEqual([['orders', [[0, ErrorCode.UNKNOWN_SERVER_ERROR]]]]);
  });
});
