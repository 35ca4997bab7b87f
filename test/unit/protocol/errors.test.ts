// The wire error table: codes and names as in Kafka 2.8, retriability, and KafkaError.
import { ErrorCode, KafkaError, errorInfo } from '../../../src/protocol/errors';

test.each([
  ['UNKNOWN_SERVER_ERROR', -1, false],
  ['NONE', 0, false],
  ['OFFSET_OUT_OF_RANGE', 1, false],
  ['CORRUPT_MESSAGE', 2, true],
  ['UNKNOWN_TOPIC_OR_PARTITION', 3, true],
  ['LEADER_NOT_AVAILABLE', 5, true],
  ['NOT_LEADER_OR_FOLLOWER', 6, true],
  ['REQUEST_TIMED_OUT', 7, true],
  ['STALE_CONTROLLER_EPOCH', 11, false],
  ['COORDINATOR_LOAD_IN_PROGRESS', 14, true],
  ['COORDINATOR_NOT_AVAILABLE', 15, true],
  ['NOT_COORDINATOR', 16, true],
  ['NOT_ENOUGH_REPLICAS', 19, true],
  ['NOT_ENOUGH_REPLICAS_AFTER_APPEND', 20, true],
  ['ILLEGAL_GENERATION', 22, false],
  ['UNKNOWN_MEMBER_ID', 25, false],
  ['REBALANCE_IN_PROGRESS', 27, false],
  ['UNSUPPORTED_VERSION', 35, false],
  ['TOPIC_ALREADY_EXISTS', 36, false],
  ['NOT_CONTROLLER', 41, true],
  ['INVALID_REQUEST', 42, false],
  ['CONCURRENT_TRANSACTIONS', 51, false],
  ['FENCED_LEADER_EPOCH', 74, true],
  ['UNKNOWN_LEADER_EPOCH', 75, true],
  ['MEMBER_ID_REQUIRED', 79, false],
  ['THROTTLING_QUOTA_EXCEEDED', 89, true],
  ['FEATURE_UPDATE_FAILED', 96, false],
  ['UNKNOWN_TOPIC_ID', 100, true],
  ['INCONSISTENT_TOPIC_ID', 103, true],
  ['FETCH_SESSION_TOPIC_ID_ERROR', 106, true],
] as const)('%s = %i, retriable %s', (name, code, retriable) => {
  expect(ErrorCode[name]).toBe(code);
  expect(errorInfo(code)).toMatchObject({ code, name, retriable });
  expect(errorInfo(code).message.length).toBeGreaterThan(3);
});

test('the table covers -1 and 0..90 with unique codes', () => {
  const codes = Object.values(ErrorCode);
  expect(new Set(codes).size).toBe(codes.length);
  for (let c = -1; c <= 90; c++) expect(errorInfo(c).name).not.toMatch(/^UNKNOWN_ERROR_CODE/);
  expect(errorInfo(12345).name).toBe('UNKNOWN_ERROR_CODE_12345');
});

test('KafkaError carries its code', () => {
  const e = new KafkaError(ErrorCode.NOT_CONTROLLER, 'broker 2 is not the controller');
  expect(e).toBeInstanceOf(Error);
  expect(e.code).toBe(41);
  expect(e.retriable).toBe(true);
  expect(e.errorName).toBe('NOT_CONTROLLER');
  expect(e.message).toBe('broker 2 is not the controller');
  expect(new KafkaError(ErrorCode.INVALID_REQUIRED_ACKS).message).toMatch(/-1, 0 or 1/);
});
