// The single point where internal errors become Kafka error codes (CONVENTIONS §9).
import { ErrorCode, KafkaError } from '../protocol/errors';

/** Maps any thrown value to a wire error code; unknown errors become UNKNOWN_SERVER_ERROR. */
export function mapErrorToCode(e: unknown): number {
  if (e instanceof KafkaError) return e.code;
  if (e !== null && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'number') {
    return (e as { code: number }).code;
  }
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}
