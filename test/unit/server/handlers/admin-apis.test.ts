// Admin handlers at their Kafka 3.x versions, called directly with fake services: CreatePartitions (the checks Kafka's
// KafkaApis makes before the controller), DescribeCluster and DescribeProducers.
import { ErrorCode } from '../../../../src/protocol/errors';
import { createPartitionsHandler } from '../../../../src/server/handlers/37-create-partitions';
import type { ActiveController, ControllerGateway } from '../../../../src/server/ControllerGateway';
import type { HandlerResult } from '../../../../src/server/handlers/types';
import type { ApiDef, ResponseOf } from '../../../../src/protocol/schema';
import { requestContext } from '../helpers';

async function answer<A extends ApiDef>(r: Promise<HandlerResult<A>> | HandlerResult<A>): Promise<ResponseOf<A>> {
  const v = await r;
  if ('noResponse' in v) throw new Error('handler sent no response');
  return v as ResponseOf<A>;
}

describe('CreatePartitions', () => {
  const topic = (name: string, count = 3) => ({ name, count, assignments: null });

  function withController(active: Partial<ActiveController> | null) {
    const controller: ControllerGateway = { active: () => active as ActiveController | null };
    return requestContext({ services: { controller } });
  }

  test('a topic named twice is refused once with INVALID_REQUEST and never reaches the controller; others do', async () => {
    const seen: string[][] = [];
    const ctx = withController({
      createPartitions: async (topics) => {
        seen.push(topics.map((t) => t.name));
        return topics.map((t) => ({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null }));
      },
    });
    const res = await answer(createPartitionsHandler.handle({ topics: [topic('a'), topic('b'), topic('a', 4)], timeoutMs: 1000, validateOnly: false }, ctx));
    expect(seen).toEqual([['b']]);
    expect(res).toEqual({ throttleTimeMs: 0, results: [
      { name: 'a', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' },
      { name: 'b', errorCode: ErrorCode.NONE, errorMessage: null },
    ] });
  });

  test('only duplicates: the controller is not asked at all', async () => {
    const ctx = withController({ createPartitions: async () => { throw new Error('not expected'); } });
    const res = await answer(createPartitionsHandler.handle({ topics: [topic('a'), topic('a')], timeoutMs: 1000, validateOnly: true }, ctx));
    expect(res.results).toEqual([{ name: 'a', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' }]);
  });

  test('on a broker that is not the controller: NOT_CONTROLLER without a message, as Kafka\'s ApiError(NOT_CONTROLLER, null)', async () => {
    const res = await answer(createPartitionsHandler.handle({ topics: [topic('a'), topic('b')], timeoutMs: 1000, validateOnly: false }, withController(null)));
    expect(res.results).toEqual([
      { name: 'a', errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null },
      { name: 'b', errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null },
    ]);
  });

  test('the controller\'s own errors and messages pass through', async () => {
    const ctx = withController({
      createPartitions: async (topics) => topics.map((t) => ({ name: t.name, errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic already has 3 partitions.' })),
    });
    const res = await answer(createPartitionsHandler.handle({ topics: [topic('a')], timeoutMs: 1000, validateOnly: false }, ctx));
    expect(res.results).toEqual([{ name: 'a', errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic already has 3 partitions.' }]);
  });
});
