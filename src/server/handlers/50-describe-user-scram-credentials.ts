// DescribeUserScramCredentials (50, v0, KIP-554): each user's SCRAM mechanisms and iteration counts, as Kafka's
// ZkAdminManager answers (DESCRIBE on the cluster; unknown users RESOURCE_NOT_FOUND, duplicates DUPLICATE_RESOURCE).
import { DescribeUserScramCredentials } from '../../protocol/messages/50-describe-user-scram-credentials';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorizeCluster, securityServices } from './authorize';
import { SCRAM_MECHANISM_CODES } from '../../security/scram/credentials';

export const describeUserScramCredentialsHandler = defineHandler({
  api: DescribeUserScramCredentials,
  versions: [0, 0],
  handle: (req, ctx) => {
    if (!authorizeCluster(ctx, 'describe')) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.', results: [] };
    const all = securityServices(ctx)?.scram.describe() ?? new Map();
    const info = (user: string) => ({
      user, errorCode: ErrorCode.NONE, errorMessage: null,
      credentialInfos: (all.get(user) ?? []).map((c: { mechanism: keyof typeof SCRAM_MECHANISM_CODES; iterations: number }) => ({ mechanism: SCRAM_MECHANISM_CODES[c.mechanism], iterations: c.iterations })),
    });
    if (req.users === null || req.users.length === 0) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results: [...all.keys()].sort().map(info) };
    }
    const names = req.users.map((u) => u.name);
    const counts = new Map<string, number>();
    for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
    const results = [...new Set(names)].map((user) => {
      if (user === '') return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Username must not be empty', credentialInfos: [] };
      if ((counts.get(user) ?? 0) > 1) return { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] };
      if (!all.has(user)) return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] };
      return info(user);
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
  },
});
