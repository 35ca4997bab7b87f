// `brook configs --entity-type users|clients`: SCRAM credentials (AlterUserScramCredentials, KIP-554) and client quotas
// (Describe/AlterClientQuotas, KIP-546) through the Admin API, printed as kafka-configs.sh prints them.
import { AlterClientQuotas, AlterUserScramCredentials, DescribeClientQuotas, DescribeUserScramCredentials } from '../../protocol/messages';
import { AdminClient, AdminError } from '../../client';
import { ErrorCode } from '../../protocol/errors';
import { formatJson, out } from '../format';
import { SCRAM_MECHANISMS, isScramMechanism, newSalt, saltedPassword } from '../../security/scram/formatter';
import { SCRAM_MECHANISM_CODES, mechanismFromCode } from '../../security/scram/credentials';
import type { ScramMechanism } from '../../security/types';
import { usage } from './common';

/** One entity: a user and/or a client id; null name = the `<default>` entity. */
export interface UserClientEntity {
  user?: string | null;
  clientId?: string | null;
}

export const QUOTA_CONFIG_KEYS = new Set(['producer_byte_rate', 'consumer_byte_rate', 'request_percentage', 'controller_mutation_rate']);

/** Parses `SCRAM-SHA-256=[iterations=8192,password=secret]` values (brackets already stripped): password and iterations. */
export function parseScramValue(mechanism: string, value: string): { password: string; iterations: number } {
  const fields = new Map<string, string>();
  for (const part of value.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) usage(`${mechanism} must look like ${mechanism}=[iterations=4096,password=secret]`);
    fields.set(part.slice(0, i).trim(), part.slice(i + 1));
  }
  const password = fields.get('password');
  if (password === undefined || password === '') usage(`${mechanism} needs password=…`);
  const iterations = fields.has('iterations') ? Number(fields.get('iterations')) : 4096;
  if (!Number.isInteger(iterations)) usage(`${mechanism} iterations must be an integer`);
  if (isScramMechanism(mechanism) && iterations < SCRAM_MECHANISMS[mechanism].minIterations) {
    usage(`Iterations ${iterations} is less than the minimum ${SCRAM_MECHANISMS[mechanism].minIterations} required for ${mechanism}`);
  }
  return { password, iterations };
}

export function entityDescription(e: UserClientEntity): string {
  const parts: string[] = [];
  if (e.user !== undefined) parts.push(e.user === null ? 'the default user-principal' : `user-principal '${e.user}'`);
  if (e.clientId !== undefined) parts.push(e.clientId === null ? 'the default client-id' : `client-id '${e.clientId}'`);
  return parts.join(', ');
}

function wireEntity(e: UserClientEntity): Array<{ entityType: string; entityName: string | null }> {
  return [
    ...(e.user !== undefined ? [{ entityType: 'user', entityName: e.user }] : []),
    ...(e.clientId !== undefined ? [{ entityType: 'client-id', entityName: e.clientId }] : []),
  ];
}

/** Splits --add-config/--delete-config between SCRAM mechanisms and quota keys; anything else is a usage error. */
function classify(e: UserClientEntity, keys: string[]): { scram: string[]; quotas: string[] } {
  const scram: string[] = [];
  const quotas: string[] = [];
  for (const k of keys) {
    if (isScramMechanism(k)) {
      if (e.user === undefined || e.user === null || e.clientId !== undefined) usage(`${k} can only be set for a named user (--entity-type users --entity-name <user>)`);
      scram.push(k);
    } else if (QUOTA_CONFIG_KEYS.has(k)) quotas.push(k);
    else usage(`Invalid config(s): ${k}; ${e.user !== undefined ? 'users' : 'clients'} take ${[...QUOTA_CONFIG_KEYS].join(', ')}${e.clientId === undefined ? ', SCRAM-SHA-256, SCRAM-SHA-512' : ''}`);
  }
  return { scram, quotas };
}

/** Usage checks made before connecting: known keys for the entity, well-formed SCRAM values and iterations. */
export function validateUserClientChanges(e: UserClientEntity, add: Map<string, string>, del: string[]): void {
  const adds = classify(e, [...add.keys()]);
  classify(e, del);
  // The broker refuses more than 16384 iterations (KIP-554); --zookeeper, as Kafka's, does not.
  for (const m of adds.scram) parseScramValue(m, add.get(m)!);
}

export async function alterUserClient(a: AdminClient, e: UserClientEntity, add: Map<string, string>, del: string[], json: boolean): Promise<void> {
  const adds = classify(e, [...add.keys()]);
  const dels = classify(e, del);
  if (adds.quotas.length > 0 || dels.quotas.length > 0) {
    const ops = [
      ...adds.quotas.map((key) => {
        const value = Number(add.get(key));
        if (!Number.isFinite(value)) usage(`${key} must be a number, got "${add.get(key)}"`);
        return { key, value, remove: false };
      }),
      ...dels.quotas.map((key) => ({ key, value: 0, remove: true })),
    ];
    await a.withRetry(`altering quotas of ${entityDescription(e)}`, async () => {
      const { response } = await a.send('any', AlterClientQuotas, () => ({ entries: [{ entity: wireEntity(e), ops }], validateOnly: false }));
      for (const r of response.entries) AdminClient.check(r.errorCode, `altering quotas of ${entityDescription(e)}`, r.errorMessage);
    });
  }
  if (adds.scram.length > 0 || dels.scram.length > 0) {
    const user = e.user as string;
    const upsertions = adds.scram.map((m) => {
      const mechanism = m as ScramMechanism;
      const { password, iterations } = parseScramValue(m, add.get(m)!);
      const salt = newSalt();
      return { name: user, mechanism: SCRAM_MECHANISM_CODES[mechanism], iterations, salt, saltedPassword: saltedPassword(mechanism, password, salt, iterations) };
    });
    const deletions = dels.scram.map((m) => ({ name: user, mechanism: SCRAM_MECHANISM_CODES[m as ScramMechanism] }));
    await a.withRetry(`altering SCRAM credentials of user ${user}`, async () => {
      const { response } = await a.send('controller', AlterUserScramCredentials, () => ({ deletions, upsertions }));
      for (const r of response.results) {
        if (r.errorCode === ErrorCode.NOT_CONTROLLER) AdminClient.check(r.errorCode, 'altering SCRAM credentials', r.errorMessage);
        if (r.errorCode !== ErrorCode.NONE) throw new AdminError(`altering SCRAM credentials of user-principal '${r.user}': ${r.errorMessage ?? `error ${r.errorCode}`}`, r.errorCode);
      }
    });
  }
  if (json) out(formatJson({ entity: e, set: Object.fromEntries([...add].map(([k, v]) => [k, isScramMechanism(k) ? '(sensitive)' : v])), deleted: del }));
  else if (e.clientId !== undefined && e.user !== undefined) out(`Completed updating config for user ${e.user ?? '<default>'} and client ${e.clientId ?? '<default>'}.`);
  else if (e.user !== undefined) out(e.user === null ? 'Completed updating default config for users in the cluster.' : `Completed updating config for user ${e.user}.`);
  else out(e.clientId === null ? 'Completed updating default config for clients in the cluster.' : `Completed updating config for client ${e.clientId}.`);
}

/**
 * kafka-configs.sh --describe for users/clients: quota configs of the matching entities (all of the type when no
 * name is given), then, for users named explicitly or all users, their SCRAM mechanisms and iterations.
 */
export async function describeUserClient(a: AdminClient, types: Array<'users' | 'clients'>, e: UserClientEntity, json: boolean): Promise<void> {
  const component = (entityType: string, name: string | null | undefined) =>
    name === undefined ? { entityType, matchType: 2, match: null } : name === null ? { entityType, matchType: 1, match: null } : { entityType, matchType: 0, match: name };
  const components = [
    ...(types.includes('users') ? [component('user', e.user)] : []),
    ...(types.includes('clients') ? [component('client-id', e.clientId)] : []),
  ];
  const { response } = await a.send('any', DescribeClientQuotas, () => ({ components, strict: true }));
  AdminClient.check(response.errorCode, 'describing client quotas', response.errorMessage);
  const quotas = (response.entries ?? []).map((x) => {
    const ent: UserClientEntity = {};
    for (const c of x.entity) {
      if (c.entityType === 'user') ent.user = c.entityName;
      if (c.entityType === 'client-id') ent.clientId = c.entityName;
    }
    return { entity: ent, values: Object.fromEntries(x.values.map((v) => [v.key, v.value])) };
  });
  let scram: Array<{ user: string; mechanisms: Array<{ mechanism: string; iterations: number }>; error?: string }> = [];
  if (!types.includes('clients') && e.user !== null) {
    const { response: r } = await a.send('any', DescribeUserScramCredentials, () => ({ users: e.user === undefined || e.user === null ? null : [{ name: e.user }] }));
    AdminClient.check(r.errorCode, 'describing SCRAM credentials', r.errorMessage);
    scram = r.results
      .filter((x) => x.errorCode !== ErrorCode.RESOURCE_NOT_FOUND)
      .map((x) => ({
        user: x.user,
        mechanisms: x.credentialInfos.map((c) => ({ mechanism: mechanismFromCode(c.mechanism) ?? `UNKNOWN(${c.mechanism})`, iterations: c.iterations })),
        ...(x.errorCode !== ErrorCode.NONE ? { error: x.errorMessage ?? `error ${x.errorCode}` } : {}),
      }));
  }
  if (json) {
    out(formatJson({ quotas, scram }));
    return;
  }
  const lines: string[] = [];
  // Java's Double.toString: 1024.0, 12.5.
  const num = (v: number): string => (Number.isInteger(v) ? `${v}.0` : String(v));
  for (const q of quotas) lines.push(`Quota configs for ${entityDescription(q.entity)} are ${Object.entries(q.values).map(([k, v]) => `${k}=${num(v)}`).join(', ')}`);
  for (const s of scram) {
    if (s.error) lines.push(`Error retrieving SCRAM credential configs for user-principal '${s.user}': ${s.error}`);
    else lines.push(`SCRAM credential configs for user-principal '${s.user}' are ${s.mechanisms.map((m) => `${m.mechanism}=iterations=${m.iterations}`).join(', ')}`);
  }
  if (lines.length > 0) out(lines.join('\n'));
}
