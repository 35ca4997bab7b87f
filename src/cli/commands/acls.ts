// `brook acls`: add, remove and list ACLs through CreateAcls/DeleteAcls/DescribeAcls, with kafka-acls.sh's flags and
// output (AclCommand's AdminClientService), so scripts written for Kafka's tool work unchanged.
import type { Command } from 'commander';
import { Option } from 'commander';
import * as readline from 'node:readline';
import { ErrorCode } from '../../protocol/errors';
import { CreateAcls, DeleteAcls, DescribeAcls } from '../../protocol/messages';
import { AdminClient, AdminError } from '../../client';
import { formatJson, out } from '../format';
import { addCommonOptions, collect, usage, withAdmin, type CommonOptions } from './common';
import {
  ANY_ENTRY_FILTER, CLUSTER_NAME, OPERATION_CODES, PATTERN_TYPE_CODES, PERMISSION_CODES, RESOURCE_TYPE_CODES, SUPPORTED_OPERATIONS,
  entryToString, filterToString, operationFromCode, parseOperation, parsePrincipal, patternKey, patternToString, patternTypeFromCode,
  permissionFromCode, resourceTypeFromCode,
  type AccessControlEntry, type AclOperation, type PatternTypeFilter, type ResourcePattern, type ResourcePatternFilter,
} from '../../security/acl/model';

interface AclsOptions extends CommonOptions {
  add?: boolean;
  remove?: boolean;
  list?: boolean;
  allowPrincipal: string[];
  denyPrincipal: string[];
  allowHost: string[];
  denyHost: string[];
  operation: string[];
  topic: string[];
  group: string[];
  cluster?: boolean;
  transactionalId: string[];
  resourcePatternType: string;
  principal: string[];
  force?: boolean;
  producer?: boolean;
  consumer?: boolean;
  idempotent?: boolean;
}

export function registerAcls(program: Command): void {
  const cmd = program
    .command('acls')
    .description('add, remove and list ACLs (like kafka-acls.sh)')
    .option('--add', 'add the ACLs given by --allow-principal/--deny-principal and --operation')
    .option('--remove', 'remove ACLs (those given, or all of the resources named)')
    .option('--list', 'list ACLs (of the resources named, or all)')
    .option('--allow-principal <principal>', 'principal (Type:name, e.g. User:alice) to allow; repeatable', collect, [] as string[])
    .option('--deny-principal <principal>', 'principal to deny; repeatable', collect, [] as string[])
    .option('--allow-host <host>', 'host the allow ACLs apply to (default *); repeatable', collect, [] as string[])
    .option('--deny-host <host>', 'host the deny ACLs apply to (default *); repeatable', collect, [] as string[])
    .option('--operation <op>', 'Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, All; repeatable', collect, [] as string[])
    .option('--topic <topic>', 'topic resource; repeatable', collect, [] as string[])
    .option('--group <group>', 'consumer group resource; repeatable', collect, [] as string[])
    .option('--cluster', 'the cluster resource')
    .option('--transactional-id <id>', 'transactional id resource; repeatable', collect, [] as string[])
    .addOption(new Option('--resource-pattern-type <type>', 'literal, prefixed; also any or match with --list and --remove').choices(['literal', 'prefixed', 'any', 'match']).default('literal'))
    .option('--principal <principal>', 'with --list: only the ACLs of this principal; repeatable', collect, [] as string[])
    .option('--force', 'with --remove: do not ask for confirmation')
    .option('--producer', 'the ACLs a producer needs: Write, Describe, Create on --topic (Write, Describe on --transactional-id)')
    .option('--idempotent', 'with --producer: also IdempotentWrite on the cluster')
    .option('--consumer', 'the ACLs a consumer needs: Read, Describe on --topic and Read on --group');
  addCommonOptions(cmd).action(async (opts: AclsOptions) => {
    const given = (['add', 'remove', 'list'] as const).filter((a) => opts[a]);
    if (given.length !== 1) usage('Command must include exactly one action: --list, --add, --remove.');
    const patternType = opts.resourcePatternType.toUpperCase() as PatternTypeFilter;
    if (given[0] === 'add') {
      if (patternType !== 'LITERAL' && patternType !== 'PREFIXED') usage(`A '--resource-pattern-type' value of '${patternType}' is not valid when adding acls.`);
      const toAdd = resourceToAcls(opts, patternType);
      if (toAdd.some((x) => x.entries.length === 0)) usage('You must specify one of: --allow-principal, --deny-principal when trying to add ACLs.');
      await withAdmin(opts, async (a) => {
        for (const { filter: f, entries } of toAdd) {
          const resource: ResourcePattern = { resourceType: f.resourceType as ResourcePattern['resourceType'], name: f.name!, patternType: f.patternType as ResourcePattern['patternType'] };
          if (opts.output !== 'json') println(`Adding ACLs for resource \`${patternToString(resource)}\`: \n ${entries.map((e) => '\t' + entryToString(e)).join('\n')} \n`);
          await createAcls(a, resource, entries);
        }
        await list(a, opts, toAdd.map((x) => x.filter));
      });
    } else if (given[0] === 'remove') {
      const toRemove = resourceToAcls(opts, patternType);
      await withAdmin(opts, async (a) => {
        for (const { filter: f, entries } of toRemove) {
          const question = entries.length === 0
            ? `Are you sure you want to delete all ACLs for resource filter \`${filterToString(f)}\`? (y/n)`
            : `Are you sure you want to remove ACLs: \n ${entries.map((e) => '\t' + entryToString(e)).join('\n')} \n from resource filter \`${filterToString(f)}\`? (y/n)`;
          if (!opts.force && !(await confirm(question))) continue;
          await deleteAcls(a, f, entries);
        }
        await list(a, opts, toRemove.map((x) => x.filter));
      });
    } else {
      if (opts.producer || opts.consumer) usage('--producer and --consumer apply to --add and --remove');
      const filters = resourceFilters(opts, patternType, false);
      await withAdmin(opts, (a) => list(a, opts, filters));
    }
  });
}

/** Java's println: the text and a line break, even when the text ends with one (kafka-acls.sh's blank lines). */
const println = (s: string): void => void process.stdout.write(`${s}\n`);

function resourceFilters(opts: AclsOptions, patternType: PatternTypeFilter, required: boolean): ResourcePatternFilter[] {
  const out: ResourcePatternFilter[] = [];
  for (const t of opts.topic) out.push({ resourceType: 'TOPIC', name: t.trim(), patternType });
  if (opts.cluster && patternType === 'LITERAL') out.push({ resourceType: 'CLUSTER', name: CLUSTER_NAME, patternType: 'LITERAL' });
  for (const g of opts.group) out.push({ resourceType: 'GROUP', name: g.trim(), patternType });
  for (const t of opts.transactionalId) out.push({ resourceType: 'TRANSACTIONAL_ID', name: t, patternType });
  if (out.length === 0 && required) usage('You must provide at least one resource: --topic <topic> or --cluster or --group <group> or --transactional-id <id>');
  return out;
}

function principals(list: string[]): string[] {
  return list.map((s) => {
    const p = parsePrincipal(s.trim());
    if (!p) usage(`Could not parse principal from \`${s}\` (no colon is present separating the principal type from the principal name)`);
    return `${p.type}:${p.name}`;
  });
}

/** Kafka's getAcl: every allowed principal × operation × allow host, and the same for denials; hosts default to *. */
function aclEntries(opts: AclsOptions, given?: AclOperation[]): AccessControlEntry[] {
  const ops: AclOperation[] = given ?? [...new Set(opts.operation.map((o) => {
    const op = parseOperation(o.trim());
    if (!op) usage(`unknown --operation "${o}"; use one of ${Object.keys(OPERATION_CODES).filter((k) => k !== 'UNKNOWN' && k !== 'ANY').join(', ')}`);
    return op;
  }))];
  const out: AccessControlEntry[] = [];
  const add = (ps: string[], hosts: string[], permissionType: 'ALLOW' | 'DENY'): void => {
    const hs = hosts.length > 0 ? [...new Set(hosts.map((h) => h.trim()))] : ['*'];
    for (const principal of new Set(principals(ps))) for (const operation of ops) for (const host of hs) out.push({ principal, host, operation, permissionType });
  };
  add(opts.allowPrincipal, opts.allowHost, 'ALLOW');
  add(opts.denyPrincipal, opts.denyHost, 'DENY');
  return out;
}

/**
 * Kafka's getResourceFilterToAcls: the ACLs of each resource from --operation, or those --producer/--consumer imply
 * (the two may be combined; a topic named for both gets both sets).
 */
function resourceToAcls(opts: AclsOptions, patternType: PatternTypeFilter): Array<{ filter: ResourcePatternFilter; entries: AccessControlEntry[] }> {
  if (opts.producer || opts.consumer) {
    if (opts.operation.length > 0 || opts.denyPrincipal.length > 0 || opts.denyHost.length > 0) usage('--producer and --consumer take no --operation, --deny-principal or --deny-host');
    if (opts.producer && opts.topic.length === 0) usage('With --producer you must specify a --topic');
    if (opts.consumer && (opts.topic.length === 0 || opts.group.length === 0 || (!opts.producer && (opts.cluster || opts.transactionalId.length > 0)))) {
      usage('With --consumer you must specify a --topic and a --group and no --cluster or --transactional-id option should be specified.');
    }
  }
  if (opts.idempotent && !opts.producer) usage('The --idempotent option is only available if --producer is set');
  const filters = resourceFilters({ ...opts, cluster: opts.cluster || opts.idempotent }, patternType, true);
  if (!opts.producer && !opts.consumer) {
    const entries = aclEntries(opts);
    validateOperations(filters, entries);
    return filters.map((filter) => ({ filter, entries }));
  }
  const out = new Map<ResourcePatternFilter, AccessControlEntry[]>();
  const give = (f: ResourcePatternFilter, ops: AclOperation[]): void => {
    out.set(f, [...(out.get(f) ?? []), ...aclEntries(opts, ops)]);
  };
  for (const f of filters) {
    if (opts.producer) {
      if (f.resourceType === 'TOPIC') give(f, ['WRITE', 'DESCRIBE', 'CREATE']);
      if (f.resourceType === 'TRANSACTIONAL_ID') give(f, ['WRITE', 'DESCRIBE']);
      if (f.resourceType === 'CLUSTER' && opts.idempotent) give(f, ['IDEMPOTENT_WRITE']);
    }
    if (opts.consumer) {
      if (f.resourceType === 'TOPIC') give(f, ['READ', 'DESCRIBE']);
      if (f.resourceType === 'GROUP') give(f, ['READ']);
    }
  }
  return [...out].map(([filter, entries]) => ({ filter, entries }));
}

function validateOperations(filters: ResourcePatternFilter[], entries: AccessControlEntry[]): void {
  for (const f of filters) {
    const valid = SUPPORTED_OPERATIONS[f.resourceType as ResourcePattern['resourceType']];
    for (const e of entries) {
      if (e.operation !== 'ALL' && !valid.includes(e.operation)) usage(`ResourceType ${f.resourceType} only supports operations ${[...valid, 'ALL'].join(',')}`);
    }
  }
}

function confirm(question: string): Promise<boolean> {
  out(question);
  const rl = readline.createInterface({ input: process.stdin });
  return new Promise((resolve) => {
    // Resolve before closing: close() emits 'close' at once, which answers "no" to an unanswered question.
    rl.once('line', (line) => { resolve(line.trim().toLowerCase() === 'y'); rl.close(); });
    rl.once('close', () => resolve(false));
  });
}

async function createAcls(a: AdminClient, resource: ResourcePattern, entries: AccessControlEntry[]): Promise<void> {
  const { response } = await a.send('any', CreateAcls, (v) => {
    if (v === 0 && resource.patternType !== 'LITERAL') throw new AdminError('the broker supports only literal ACLs (CreateAcls v0)');
    return {
      creations: entries.map((e) => ({
        resourceType: RESOURCE_TYPE_CODES[resource.resourceType],
        resourceName: resource.name,
        resourcePatternType: PATTERN_TYPE_CODES[resource.patternType],
        principal: e.principal,
        host: e.host,
        operation: OPERATION_CODES[e.operation],
        permissionType: PERMISSION_CODES[e.permissionType],
      })),
    };
  });
  for (const r of response.results) AdminClient.check(r.errorCode, `adding ACLs for ${patternToString(resource)}`, r.errorMessage);
}

async function deleteAcls(a: AdminClient, f: ResourcePatternFilter, entries: AccessControlEntry[]): Promise<void> {
  const entryFilters = entries.length === 0 ? [ANY_ENTRY_FILTER] : entries;
  const { response } = await a.send('any', DeleteAcls, () => ({
    filters: entryFilters.map((e) => ({
      resourceTypeFilter: RESOURCE_TYPE_CODES[f.resourceType],
      resourceNameFilter: f.name,
      patternTypeFilter: PATTERN_TYPE_CODES[f.patternType],
      principalFilter: e.principal,
      hostFilter: e.host,
      operation: OPERATION_CODES[e.operation],
      permissionType: PERMISSION_CODES[e.permissionType],
    })),
  }));
  for (const r of response.filterResults) {
    AdminClient.check(r.errorCode, `removing ACLs of ${filterToString(f)}`, r.errorMessage);
    for (const m of r.matchingAcls) AdminClient.check(m.errorCode, `removing an ACL of ${filterToString(f)}`, m.errorMessage);
  }
}

/** The ACLs matching the filters (all ACLs with none), grouped by resource pattern. */
export async function describeAcls(a: AdminClient, filters: ResourcePatternFilter[]): Promise<Map<string, { pattern: ResourcePattern; entries: AccessControlEntry[] }>> {
  const all: ResourcePatternFilter[] = filters.length > 0 ? filters : [{ resourceType: 'ANY', name: null, patternType: 'ANY' }];
  const out = new Map<string, { pattern: ResourcePattern; entries: AccessControlEntry[] }>();
  for (const f of all) {
    const { response } = await a.send('any', DescribeAcls, () => ({
      resourceTypeFilter: RESOURCE_TYPE_CODES[f.resourceType],
      resourceNameFilter: f.name,
      patternTypeFilter: PATTERN_TYPE_CODES[f.patternType],
      principalFilter: null,
      hostFilter: null,
      operation: OPERATION_CODES.ANY,
      permissionType: PERMISSION_CODES.ANY,
    }));
    if (response.errorCode === ErrorCode.SECURITY_DISABLED) throw new AdminError('No Authorizer is configured on the broker: set authorizer.class.name=kafka.security.authorizer.AclAuthorizer', response.errorCode);
    AdminClient.check(response.errorCode, 'listing ACLs', response.errorMessage);
    for (const r of response.resources) {
      const pattern = {
        resourceType: resourceTypeFromCode(r.resourceType) as ResourcePattern['resourceType'],
        name: r.resourceName,
        patternType: patternTypeFromCode(r.patternType) as ResourcePattern['patternType'],
      };
      const k = patternKey(pattern);
      const g = out.get(k) ?? { pattern, entries: [] };
      for (const e of r.acls) {
        const entry: AccessControlEntry = { principal: e.principal, host: e.host, operation: operationFromCode(e.operation) as AclOperation, permissionType: permissionFromCode(e.permissionType) as 'ALLOW' | 'DENY' };
        if (!g.entries.some((x) => entryToString(x) === entryToString(entry))) g.entries.push(entry);
      }
      out.set(k, g);
    }
  }
  return out;
}

async function list(a: AdminClient, opts: AclsOptions, filters: ResourcePatternFilter[]): Promise<void> {
  const found = [...(await describeAcls(a, filters)).values()].sort((x, y) => (patternToString(x.pattern) < patternToString(y.pattern) ? -1 : 1));
  if (opts.output === 'json') {
    out(formatJson(found.map((r) => ({ resource: r.pattern, acls: r.entries }))));
    return;
  }
  const print = (rs: typeof found): void => {
    for (const r of rs) println(`Current ACLs for resource \`${patternToString(r.pattern)}\`: \n ${r.entries.map((e) => '\t' + entryToString(e)).join('\n')} \n`);
  };
  const only = principals(opts.principal);
  if (only.length === 0) print(found);
  else {
    for (const p of only) {
      out(`ACLs for principal \`${p}\``);
      print(found.map((r) => ({ ...r, entries: r.entries.filter((e) => e.principal === p) })).filter((r) => r.entries.length > 0));
    }
  }
}
