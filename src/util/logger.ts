// The process-wide pino logger; modules take child loggers carrying their identity.
import pino from 'pino';

export type Logger = pino.Logger;

const level = process.env.BROOK_LOG_LEVEL ?? (process.env.JEST_WORKER_ID ? 'silent' : 'info');

export const rootLogger: Logger = pino({
  level,
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export function moduleLogger(module: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger.child({ module, ...bindings });
}
