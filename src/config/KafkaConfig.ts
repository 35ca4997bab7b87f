// Loads, validates and derives the broker configuration (server.properties + --override).
import { readFileSync } from 'node:fs';
import { parseProperties } from './properties';
import { acceptedButUnused, brokerConfigDefs, type BrokerConfigName, type ConfigDef, type KafkaConfigValues } from './schema';

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid broker configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export interface Listener {
  name: string; // PLAINTEXT
  securityProtocol: string;
  host: string; // '' = all interfaces
  port: number;
}

export interface LoadedConfig {
  values: KafkaConfigValues;
  /** Property names that were set but are unknown to Brook (warned about, as Kafka does). */
  unknown: string[];
  /** Every property given, as text, for DescribeConfigs. */
  given: Map<string, string>;
}

function parseValue(name: string, d: ConfigDef, raw: string): { value?: unknown; problem?: string } {
  const text = raw.trim();
  switch (d.type) {
    case 'int': {
      if (!/^-?\d+$/.test(text)) return { problem: `${name} must be an integer, got "${raw}"` };
      const n = Number(text);
      if (n > 2147483647 || n < -2147483648) return { problem: `${name} is out of the int32 range, got ${raw}` };
      return { value: n };
    }
    case 'long':
      if (!/^-?\d+$/.test(text)) return { problem: `${name} must be an integer, got "${raw}"` };
      return { value: BigInt(text) };
    case 'double': {
      const n = Number(text);
      if (text === '' || Number.isNaN(n)) return { problem: `${name} must be a number, got "${raw}"` };
      return { value: n };
    }
    case 'boolean':
      if (!/^(true|false)$/i.test(text)) return { problem: `${name} must be true or false, got "${raw}"` };
      return { value: text.toLowerCase() === 'true' };
    case 'list':
      return { value: text === '' ? [] : text.split(',').map((s) => s.trim()).filter((s) => s !== '') };
    default:
      return { value: raw };
  }
}

/** Builds a validated configuration; throws ConfigError listing every problem at once. */
export function buildConfig(props: Map<string, string>): LoadedConfig {
  const problems: string[] = [];
  const unknown: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(brokerConfigDefs) as Array<[BrokerConfigName, ConfigDef]>) {
    const raw = props.get(name);
    if (raw === undefined) {
      if (d.default === undefined) problems.push(`${name} is required (${d.doc})`);
      values[name] = d.default ?? null;
      continue;
    }
    const { value, problem } = parseValue(name, d, raw);
    if (problem) { problems.push(problem); continue; }
    const bad = d.validator?.(value, name);
    if (bad) problems.push(bad);
    values[name] = value;
  }
  for (const name of props.keys()) {
    if (!(name in brokerConfigDefs) && !acceptedButUnused.has(name)) unknown.push(name);
  }
  const v = values as KafkaConfigValues;
  if (problems.length === 0) {
    problems.push(...crossCheck(v));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { values: v, unknown, given: new Map(props) };
}

function crossCheck(v: KafkaConfigValues): string[] {
  const problems: string[] = [];
  try { parseListeners(v.listeners, v['listener.security.protocol.map']); } catch (e) { problems.push((e as Error).message); }
  if (v['advertised.listeners'] !== null) {
    try {
      for (const l of parseListeners(v['advertised.listeners'], v['listener.security.protocol.map'])) {
        if (l.host === '' || l.host === '0.0.0.0') problems.push(`advertised.listeners must name a reachable host, got "${l.host || '(empty)'}" for ${l.name}`);
      }
    } catch (e) { problems.push((e as Error).message.replace(/^listeners/, 'advertised.listeners')); }
  }
  if (!/^[^,/\s]+:\d+(,[^,/\s]+:\d+)*(\/[^\s]*)?$/.test(v['zookeeper.connect'])) {
    problems.push(`zookeeper.connect must look like host:port[,host:port...][/chroot], got "${v['zookeeper.connect']}"`);
  }
  const dirs = v['log.dirs'] ?? [v['log.dir']];
  if (dirs.length === 0) problems.push('log.dirs must name at least one directory');
  if (v['min.insync.replicas'] < 1) problems.push('min.insync.replicas must be at least 1');
  return problems;
}

export function parseListeners(text: string, protocolMap: string): Listener[] {
  const map = new Map<string, string>();
  for (const entry of protocolMap.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [k, p] = entry.split(':');
    if (k && p) map.set(k.toUpperCase(), p.toUpperCase());
  }
  const out: Listener[] = [];
  const names = new Set<string>();
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(item);
    if (!m) throw new Error(`listeners entry "${item}" must look like NAME://host:port, e.g. PLAINTEXT://127.0.0.1:9092`);
    const name = m[1]!.toUpperCase();
    const port = Number(m[3]);
    if (port > 65535) throw new Error(`listeners entry "${item}" has port ${port} outside 0-65535`);
    const protocol = map.get(name) ?? (['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(name) ? name : undefined);
    if (!protocol) throw new Error(`listener ${name} has no security protocol in listener.security.protocol.map`);
    if (protocol !== 'PLAINTEXT') throw new Error(`listener ${name} uses ${protocol}; Brook supports PLAINTEXT listeners only for now`);
    if (names.has(name)) throw new Error(`listeners names ${name} twice`);
    names.add(name);
    out.push({ name, securityProtocol: protocol, host: m[2]!.replace(/^\[|\]$/g, ''), port });
  }
  if (out.length === 0) throw new Error('listeners must contain at least one listener');
  return out;
}

/** Parses `--override key=value` strings. */
export function parseOverrides(overrides: string[]): { props: Map<string, string>; problems: string[] } {
  const props = new Map<string, string>();
  const problems: string[] = [];
  for (const o of overrides) {
    const i = o.indexOf('=');
    if (i <= 0) problems.push(`--override "${o}" must look like key=value`);
    else props.set(o.slice(0, i).trim(), o.slice(i + 1));
  }
  return { props, problems };
}

/** Reads server.properties and applies overrides; every problem is reported at once. */
export function loadConfigFile(path: string, overrides: string[]): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError([`cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  const props = parseProperties(text);
  const o = parseOverrides(overrides);
  for (const [k, val] of o.props) props.set(k, val);
  try {
    const cfg = buildConfig(props);
    if (o.problems.length > 0) throw new ConfigError(o.problems);
    return cfg;
  } catch (e) {
    if (e instanceof ConfigError && o.problems.length > 0 && e.problems !== o.problems) throw new ConfigError([...o.problems, ...e.problems]);
    throw e;
  }
}

/** Values derived from several properties, the way Kafka derives them. */
export class KafkaConfig {
  readonly listeners: Listener[];
  readonly advertisedListeners: Listener[];
  constructor(readonly loaded: LoadedConfig) {
    const v = loaded.values;
    this.listeners = parseListeners(v.listeners, v['listener.security.protocol.map']);
    this.advertisedListeners = v['advertised.listeners'] !== null
      ? parseListeners(v['advertised.listeners'], v['listener.security.protocol.map'])
      : this.listeners.map((l) => ({ ...l, host: l.host === '' || l.host === '0.0.0.0' ? '127.0.0.1' : l.host }));
  }
  get values(): KafkaConfigValues { return this.loaded.values; }
  get<K extends keyof KafkaConfigValues>(k: K): KafkaConfigValues[K] { return this.loaded.values[k]; }
  get brokerId(): number { return this.values['broker.id']; }
  get logDirs(): string[] { return this.values['log.dirs'] ?? [this.values['log.dir']]; }
  get zkConnectionTimeoutMs(): number { return this.values['zookeeper.connection.timeout.ms'] ?? this.values['zookeeper.session.timeout.ms']; }
  get interBrokerListener(): Listener {
    const name = this.values['inter.broker.listener.name'];
    const found = name ? this.advertisedListeners.find((l) => l.name === name.toUpperCase()) : this.advertisedListeners[0];
    return found ?? this.advertisedListeners[0]!;
  }
  get logRetentionMs(): bigint {
    const v = this.values;
    if (v['log.retention.ms'] !== null) return v['log.retention.ms'];
    if (v['log.retention.minutes'] !== null) return BigInt(v['log.retention.minutes']) * 60000n;
    return BigInt(v['log.retention.hours']) * 3600000n;
  }
  get logRollMs(): bigint {
    return this.values['log.roll.ms'] ?? BigInt(this.values['log.roll.hours']) * 3600000n;
  }
}
