// The per-resource answer shared by AlterConfigs (33) and IncrementalAlterConfigs (44).
import { ErrorCode } from '../../protocol/errors';
import { ConfigRejected } from '../ConfigRepository';
import type { RequestContext } from './types';

export interface ResourceResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

/** Runs one resource's change and turns rejections into the per-resource error of the response. */
export async function runResource(ctx: RequestContext, resourceType: number, resourceName: string, fn: () => Promise<void>): Promise<ResourceResult> {
  const base = { resourceType, resourceName };
  try {
    await fn();
    return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (e) {
    if (e instanceof ConfigRejected) return { ...base, errorCode: e.code, errorMessage: e.message };
    ctx.logger.error({ err: e, resourceName }, 'config change failed');
    return { ...base, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: (e as Error).message };
  }
}
