// `brook configs`: describe and alter dynamic topic and broker configs, like kafka-configs.sh.
import type { Command } from 'commander';
import { ErrorCode } from '../../protocol/errors';
import { AlterConfigs, DescribeConfigs, IncrementalAlterConfigs } from '../../protocol/messages';
import { AdminClient, AdminError } from '../../client';
import { formatJson, formatTable, out } from '../format';
import { addCommonOptions, collect, oneAction, parseKeyValues, splitOutsideBrackets, usage, withAdmin, type CommonOptions } from './common';
import { alterUserClient, describeUserClient, validateUserClientChanges, type UserClientEntity } from './configs-users-clients';
import { alterWithZookeeper, describeWithZookeeper } from '../zookeeper-configs';

export const CONFIG_SOURCES: Record<number, string> = {
  0: 'UNKNOWN',
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
};
const DYNAMIC_SOURCES = new Set([1, 2, 3, 6]);
const RESOURCE_TYPE = { topics: 2, brokers: 4 } as const;

interface ConfigsCliOptions extends Omit<ConfigsOptions, 'entityType' | 'entityName'> {
  entityType: string[];
  entityName: string[];
  zookeeper?: string;
}

interface ConfigsOptions extends CommonOptions {
  entityType: 'topics' | 'brokers';
  entityName?: string;
  entityDefault?: boolean;
  describe?: boolean;
  alter?: boolean;
  addConfig: string[];
  deleteConfig: string[];
  all?: boolean;
}

export interface DescribedConfig {
  name: string;
  value: string | null;
  source: string;
  readOnly: boolean;
  sensitive: boolean;
  synonyms: Array<{ name: string; value: string | null; source: string }>;
}

export function registerConfigs(program: Command): void {
  const cmd = program
    .command('configs')
    .description('describe and alter topic and broker configs (like kafka-configs.sh)')
    .option('--entity-type <type>', 'topics, brokers, users or clients (users and clients may be given together); repeatable', collect, [] as string[])
    .option('--entity-name <name>', 'topic name, broker id, user or client id (omit with --describe for all); repeatable, one per --entity-type', collect, [] as string[])
    .option('--entity-default', 'the default entity: of brokers (cluster-wide), or of users/clients (<default>)')
    .option('--zookeeper <host:port[/chroot]>', 'with users/clients: write ZooKeeper directly, as kafka-configs.sh --zookeeper (before brokers run)')
    .option('--describe', 'show configs (dynamic ones only, unless --all)')
    .option('--all', 'with --describe: every config with its value and source')
    .option('--alter', 'change configs with --add-config and/or --delete-config')
    .option('--add-config <k=v,...>', 'configs to set (comma-separated; repeatable; use [a,b] for list values)', collect, [] as string[])
    .option('--delete-config <k,...>', 'configs to remove (back to the default; repeatable)', collect, [] as string[]);
  addCommonOptions(cmd).action(async (raw: ConfigsCliOptions) => {
    const action = oneAction(raw, ['describe', 'alter']);
    const types = raw.entityType;
    for (const t of types) if (!['topics', 'brokers', 'users', 'clients'].includes(t)) usage(`--entity-type must be one of topics, brokers, users, clients; got "${t}"`);
    if (types.length === 0) usage('--entity-type is required (topics, brokers, users or clients)');
    if (types.some((t) => t === 'users' || t === 'clients')) {
      await userClientAction(raw, action);
      return;
    }
    if (types.length > 1 || raw.entityName.length > 1) usage('give one --entity-type and at most one --entity-name for topics and brokers');
    if (raw.zookeeper !== undefined) usage('--zookeeper applies to --entity-type users and clients only; use --bootstrap-server');
    const opts: ConfigsOptions = { ...raw, entityType: types[0] as 'topics' | 'brokers', entityName: raw.entityName[0] };
    if (opts.entityDefault && opts.entityType !== 'brokers') usage('--entity-default applies to --entity-type brokers only');
    if (opts.entityDefault && opts.entityName !== undefined) usage('give either --entity-name or --entity-default, not both');
    if (opts.entityType === 'brokers' && opts.entityName !== undefined && !/^\d+$/.test(opts.entityName)) {
      usage(`--entity-name for brokers must be a broker id, got "${opts.entityName}"`);
    }
    if (action === 'describe') {
      await withAdmin(opts, (a) => describe(a, opts));
      return;
    }
    if (opts.entityName === undefined && !opts.entityDefault) usage('--alter needs --entity-name (or --entity-default for brokers)');
    const add = parseKeyValues(opts.addConfig, '--add-config');
    const del = opts.deleteConfig.flatMap((d) => splitOutsideBrackets(d));
    if (add.size === 0 && del.length === 0) usage('--alter needs --add-config k=v,... and/or --delete-config k,...');
    for (const k of del) if (add.has(k)) usage(`config "${k}" is both added and deleted`);
    await withAdmin(opts, (a) => alter(a, opts, add, del));
  });
}

function entityLabel(opts: ConfigsOptions, name: string): string {
  if (opts.entityType === 'topics') return `topic ${name}`;
  return name === '' ? 'the default broker config' : `broker ${name}`;
}

/** Where a broker resource is answered: the broker itself (its static config lives there); defaults anywhere. */
const targetFor = (type: 'topics' | 'brokers', name: string): 'any' | number => (type === 'brokers' && name !== '' ? Number(name) : 'any');

export async function describeConfigs(a: AdminClient, type: 'topics' | 'brokers', name: string): Promise<DescribedConfig[]> {
  return a.withRetry(`describing configs of ${type} ${name}`, async () => {
    const { response, version } = await a.send(targetFor(type, name), DescribeConfigs, () => ({
      resources: [{ resourceType: RESOURCE_TYPE[type], resourceName: name, configurationKeys: null }],
      includeSynonyms: true,
      includeDocumentation: false,
    }), { max: 3 });
    const r = response.results[0];
    if (!r) throw new AdminError('DescribeConfigs answered without a result');
    if (r.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      throw new AdminError(`topic '${name}' does not exist — list topics with: brook topics --list`, r.errorCode);
    }
    AdminClient.check(r.errorCode, `describing configs of ${type} '${name}'`, r.errorMessage);
    return r.configs.map((c) => ({
      name: c.name,
      value: c.isSensitive ? null : c.value,
      // v0 has only isDefault; map it onto the v1 source names.
      source: version >= 1 ? (CONFIG_SOURCES[c.configSource] ?? 'UNKNOWN') : c.isDefault ? 'DEFAULT_CONFIG' : type === 'topics' ? 'DYNAMIC_TOPIC_CONFIG' : 'STATIC_BROKER_CONFIG',
      readOnly: c.readOnly,
      sensitive: c.isSensitive,
      synonyms: c.synonyms.map((s) => ({ name: s.name, value: s.value, source: CONFIG_SOURCES[s.source] ?? 'UNKNOWN' })),
    })).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  });
}

async function describe(a: AdminClient, opts: ConfigsOptions): Promise<void> {
  let names: string[];
  if (opts.entityDefault) names = [''];
  else if (opts.entityName !== undefined) names = [opts.entityName];
  else if (opts.entityType === 'topics') names = a.metadata.topics.map((t) => t.name);
  else names = a.metadata.brokers.map((b) => String(b.nodeId));
  const results: Array<{ entityType: string; entityName: string; configs: DescribedConfig[] }> = [];
  for (const name of names) {
    const all = await describeConfigs(a, opts.entityType, name);
    const dynamicSources = new Set([...DYNAMIC_SOURCES].map((s) => CONFIG_SOURCES[s]));
    results.push({ entityType: opts.entityType, entityName: name, configs: opts.all ? all : all.filter((c) => dynamicSources.has(c.source)) });
  }
  if (opts.output === 'json') { out(formatJson(results)); return; }
  const blocks = results.map((r) => {
    const head = `${opts.all ? 'All' : 'Dynamic'} configs for ${entityLabel(opts, r.entityName)} are:`;
    if (r.configs.length === 0) return head;
    return head + '\n' + formatTable(['NAME', 'VALUE', 'SOURCE'], r.configs.map((c) => [c.name, c.sensitive ? '(sensitive)' : c.value ?? 'null', c.source])).replace(/^/gm, '  ');
  });
  out(blocks.join('\n'));
}

async function alter(a: AdminClient, opts: ConfigsOptions, add: Map<string, string>, del: string[]): Promise<void> {
  const name = opts.entityDefault ? '' : opts.entityName!;
  const type = opts.entityType;
  const target = targetFor(type, name);
  const incremental = await a.supports(IncrementalAlterConfigs, 0, target === 'any' ? undefined : target);
  await a.withRetry(`altering configs of ${entityLabel(opts, name)}`, async () => {
    let errorCode: number;
    let errorMessage: string | null;
    if (incremental) {
      const { response } = await a.send(target, IncrementalAlterConfigs, () => ({
        resources: [{
          resourceType: RESOURCE_TYPE[type],
          resourceName: name,
          configs: [
            ...[...add].map(([k, v]) => ({ name: k, configOperation: 0, value: v })),
            ...del.map((k) => ({ name: k, configOperation: 1, value: null })),
          ],
        }],
        validateOnly: false,
      }), { max: 1 });
      const r = response.responses[0];
      if (!r) throw new AdminError('IncrementalAlterConfigs answered without a result');
      ({ errorCode, errorMessage } = r);
    } else {
      // AlterConfigs replaces the whole dynamic set: read it, apply the change, write it back.
      const current = (await describeConfigs(a, type, name)).filter((c) => c.source === (type === 'topics' ? 'DYNAMIC_TOPIC_CONFIG' : name === '' ? 'DYNAMIC_DEFAULT_BROKER_CONFIG' : 'DYNAMIC_BROKER_CONFIG'));
      const next = new Map(current.map((c) => [c.name, c.value]));
      for (const k of del) next.delete(k);
      for (const [k, v] of add) next.set(k, v);
      const { response } = await a.send(target, AlterConfigs, () => ({
        resources: [{ resourceType: RESOURCE_TYPE[type], resourceName: name, configs: [...next].map(([k, v]) => ({ name: k, value: v })) }],
        validateOnly: false,
      }), { max: 1 });
      const r = response.responses[0];
      if (!r) throw new AdminError('AlterConfigs answered without a result');
      ({ errorCode, errorMessage } = r);
    }
    if (errorCode === ErrorCode.INVALID_CONFIG || errorCode === ErrorCode.INVALID_REQUEST) {
      throw new AdminError(`invalid config for ${entityLabel(opts, name)}: ${errorMessage ?? 'rejected by the broker'}`, errorCode);
    }
    AdminClient.check(errorCode, `altering configs of ${entityLabel(opts, name)}`, errorMessage);
  });
  if (opts.output === 'json') out(formatJson({ entityType: type, entityName: name, set: Object.fromEntries(add), deleted: del }));
  else out(`Completed updating config for ${entityLabel(opts, name)}.`);
}

/** users/clients: one entity (a user, a client id, or a client id of a user), named or `<default>`. */
async function userClientAction(opts: ConfigsCliOptions, action: string): Promise<void> {
  const types = opts.entityType as Array<'users' | 'clients'>;
  if (types.some((t) => t !== 'users' && t !== 'clients') || new Set(types).size !== types.length) usage('--entity-type users and clients may be combined only with each other, once each');
  const names = opts.entityName;
  if (names.length > types.length) usage('more --entity-name than --entity-type');
  const entity: UserClientEntity = {};
  types.forEach((t, i) => {
    // A missing last name is the default entity with --entity-default, or "all" when describing.
    const name = i < names.length ? names[i]! : opts.entityDefault && i === types.length - 1 ? null : undefined;
    if (name === undefined && action === 'alter') usage(`--alter needs an --entity-name (or --entity-default) for ${t}`);
    if (name !== undefined) {
      if (t === 'users') entity.user = name;
      else entity.clientId = name;
    }
  });
  if (action === 'describe') {
    if (opts.zookeeper !== undefined) {
      if (entity.user === undefined && entity.clientId === undefined) usage('--describe with --zookeeper needs an --entity-name');
      out(await describeWithZookeeper(opts.zookeeper, entity));
      return;
    }
    await withAdmin(opts, (a) => describeUserClient(a, types, entity, opts.output === 'json'));
    return;
  }
  const add = parseKeyValues(opts.addConfig, '--add-config');
  const del = opts.deleteConfig.flatMap((d) => splitOutsideBrackets(d));
  if (add.size === 0 && del.length === 0) usage('--alter needs --add-config k=v,... and/or --delete-config k,...');
  for (const k of del) if (add.has(k)) usage(`config "${k}" is both added and deleted`);
  validateUserClientChanges(entity, add, del);
  if (opts.zookeeper !== undefined) {
    out(await alterWithZookeeper(opts.zookeeper, entity, add, del));
    return;
  }
  await withAdmin(opts, (a) => alterUserClient(a, entity, add, del, opts.output === 'json'));
}
