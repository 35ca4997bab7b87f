// AlterUserScramCredentials (51, v0, KIP-554): deletes and upserts SCRAM credentials in /config/users/<user>, with
// Kafka's checks (controller only, ALTER on the cluster, 4096-16384 iterations, known mechanisms, one change per user
// and mechanism, deleting only what exists). Upsertions carry salt and salted password; the broker derives the keys.
import { AlterUserScramCredentials } from '../../protocol/messages/51-alter-user-scram-credentials';
import { ErrorCode } from '../../protocol/errors';
import { defineHandler } from './types';
import { authorizeCluster, securityServices } from './authorize';
import { mechanismFromCode } from '../../security/scram/credentials';
import { MAX_ITERATIONS, SCRAM_MECHANISMS, credentialFromSaltedPassword } from '../../security/scram/formatter';
import type { ScramCredential, ScramMechanism } from '../../security/types';

export const alterUserScramCredentialsHandler = defineHandler({
  api: AlterUserScramCredentials,
  versions: [0, 0],
  handle: async (req, ctx) => {
    const users = [...new Set([...req.deletions.map((d) => d.name), ...req.upsertions.map((u) => u.name)])];
    const all = (errorCode: number, errorMessage: string) => ({ throttleTimeMs: 0, results: users.map((user) => ({ user, errorCode, errorMessage })) });
    if (!ctx.services.controller.active()) return all(ErrorCode.NOT_CONTROLLER, 'This is not the correct controller for this cluster.');
    if (!authorizeCluster(ctx, 'alter')) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
    const scram = securityServices(ctx)?.scram;
    if (!scram) return all(ErrorCode.UNKNOWN_SERVER_ERROR, 'SCRAM credentials are not available on this broker');

    const errors = new Map<string, { errorCode: number; errorMessage: string }>();
    const fail = (user: string, errorCode: number, errorMessage: string): void => {
      if (!errors.has(user)) errors.set(user, { errorCode, errorMessage });
    };
    for (const d of req.deletions) {
      if (d.name === '') fail(d.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
      else if (!mechanismFromCode(d.mechanism)) fail(d.name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism');
    }
    for (const u of req.upsertions) {
      const m = mechanismFromCode(u.mechanism);
      if (u.name === '') fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
      else if (!m) fail(u.name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism');
      else if (u.iterations < SCRAM_MECHANISMS[m].minIterations) fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations');
      else if (u.iterations > MAX_ITERATIONS) fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations');
    }
    const pairs = new Map<string, number>();
    for (const x of [...req.deletions, ...req.upsertions]) {
      if (errors.has(x.name)) continue;
      const k = `${x.name}\u0000${x.mechanism}`;
      pairs.set(k, (pairs.get(k) ?? 0) + 1);
      if (pairs.get(k)! > 1) fail(x.name, ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request');
    }
    const existing = scram.describe();
    for (const d of req.deletions) {
      if (errors.has(d.name)) continue;
      const m = mechanismFromCode(d.mechanism)!;
      if (!(existing.get(d.name) ?? []).some((c) => c.mechanism === m)) fail(d.name, ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist');
    }
    for (const user of users) {
      if (errors.has(user)) continue;
      const deletions = req.deletions.filter((d) => d.name === user).map((d) => mechanismFromCode(d.mechanism)!);
      const upsertions: Array<{ mechanism: ScramMechanism; credential: ScramCredential }> = req.upsertions.filter((u) => u.name === user).map((u) => {
        const mechanism = mechanismFromCode(u.mechanism)!;
        return { mechanism, credential: credentialFromSaltedPassword(mechanism, Buffer.from(u.salt), Buffer.from(u.saltedPassword), u.iterations) };
      });
      try {
        await scram.alterUser(user, deletions, upsertions);
      } catch (e) {
        ctx.logger.error({ err: e, user }, 'altering SCRAM credentials failed');
        fail(user, ErrorCode.UNKNOWN_SERVER_ERROR, (e as Error).message);
      }
    }
    return { throttleTimeMs: 0, results: users.map((user) => ({ user, ...(errors.get(user) ?? { errorCode: ErrorCode.NONE, errorMessage: null }) })) };
  },
});
