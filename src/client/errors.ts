// Errors the client library raises and the CLI reports: operation failures (exit 1) and usage or configuration problems (exit 2).
import { errorInfo } from '../protocol/errors';

/** A failed operation with a message that names the problem and, where we know it, the fix. */
export class AdminError extends Error {
  constructor(message: string, readonly code?: number) {
    super(message);
    this.name = 'AdminError';
  }
}

/** Bad flags or arguments; the CLI turns it into exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A client configuration that cannot work (Kafka's ConfigException), e.g. enable.idempotence=true with acks=1. */
export class ConfigException extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigException';
  }
}

/** A wire error that another attempt (after a metadata refresh) may cure. */
export class RetriableAdminError extends AdminError {
  constructor(message: string, code: number) {
    super(message, code);
    this.name = 'RetriableAdminError';
  }
}

/** "NAME (code): message" plus the broker's own message when it sent one. */
export function describeErrorCode(code: number, brokerMessage?: string | null): string {
  const info = errorInfo(code);
  const extra = brokerMessage && brokerMessage !== info.message ? ` ${brokerMessage}` : ` ${info.message}`;
  return `${info.name} (${code}):${extra}`;
}

/** Turns socket-level failures into a sentence an operator can act on. */
export function explainConnectError(hostPort: string, err: Error): AdminError {
  const m = err.message;
  if (/ECONNREFUSED/.test(m)) {
    return new AdminError(`cannot reach ${hostPort}: connection refused — is the cluster running? (npm start)`);
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(m)) {
    return new AdminError(`cannot reach ${hostPort}: unknown host — check --bootstrap-server`);
  }
  if (/timed out/.test(m)) {
    return new AdminError(`cannot reach ${hostPort}: connection timed out — is the address right and the broker up?`);
  }
  return new AdminError(`cannot reach ${hostPort}: ${m}`);
}

/**
 * Kafka's ProducerFencedException (and the fatal errors of a transactional producer): the producer can do nothing
 * more but be closed, because another producer with the same transactional.id took over (or its transaction timed
 * out and the coordinator bumped the epoch).
 */
export class ProducerFencedError extends AdminError {
  constructor(message: string, code?: number) {
    super(message, code);
    this.name = 'ProducerFencedError';
  }
}

/** A transactional producer error after which the transaction can only be aborted (Kafka's abortable errors). */
export class TransactionAbortableError extends AdminError {
  constructor(message: string, code?: number) {
    super(message, code);
    this.name = 'TransactionAbortableError';
  }
}
