// Storage-layer errors carrying Kafka wire error codes (to be unified with src/protocol/errors.ts by the lead).

export const LogErrorCode = {
  UNKNOWN_SERVER_ERROR: -1,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  MESSAGE_TOO_LARGE: 10,
  RECORD_LIST_TOO_LARGE: 18,
  INVALID_TOPIC_EXCEPTION: 17,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  TRANSACTION_COORDINATOR_FENCED: 52,
  KAFKA_STORAGE_ERROR: 56,
  INVALID_RECORD: 87,
} as const;
export type LogErrorCode = (typeof LogErrorCode)[keyof typeof LogErrorCode];

const names = new Map<number, string>(Object.entries(LogErrorCode).map(([k, v]) => [v, k]));

export class LogError extends Error {
  constructor(
    readonly code: LogErrorCode,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = names.get(code) ?? 'LogError';
  }
}

export const corrupt = (msg: string): LogError => new LogError(LogErrorCode.CORRUPT_MESSAGE, msg);
export const outOfRange = (msg: string): LogError => new LogError(LogErrorCode.OFFSET_OUT_OF_RANGE, msg);
export const storageError = (msg: string, cause?: unknown): LogError => new LogError(LogErrorCode.KAFKA_STORAGE_ERROR, msg, cause);
