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
    if (!(name in brokerConfigDefs) && !acceptedButUnused.has(name) && !isSecuritySetting(name)) unknown.push(name);
  }
  const v = values as KafkaConfigValues;
  if (problems.length === 0) {
    problems.push(...crossCheck(v), ...securityCrossCheck(v, props));
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

export const SECURITY_PROTOCOLS: readonly string[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

/**
 * Security settings read from the given properties rather than the schema (per listener they are open-ended:
 * `listener.name.<listener>.<setting>`), so they are not reported as unknown.
 */
const SECURITY_SETTINGS = new Set([
  'security.inter.broker.protocol', 'sasl.mechanism.inter.broker.protocol', 'sasl.enabled.mechanisms', 'sasl.jaas.config',
  'connections.max.reauth.ms', 'principal.builder.class', 'sasl.server.callback.handler.class',
]);
export function isSecuritySetting(name: string): boolean {
  return SECURITY_SETTINGS.has(name) || name.startsWith('ssl.') || name.startsWith('listener.name.') || /^(plain|scram-sha-256|scram-sha-512)\.sasl\.jaas\.config$/.test(name);
}

/** Kafka's PASSWORD-type security settings (also per listener and per mechanism): never shown by DescribeConfigs. */
const SENSITIVE_SECURITY_SETTINGS = ['ssl.key.password', 'ssl.keystore.password', 'ssl.truststore.password', 'ssl.keystore.key', 'ssl.keystore.certificate.chain', 'ssl.truststore.certificates', 'sasl.jaas.config'];
export function isSensitiveSecuritySetting(name: string): boolean {
  return SENSITIVE_SECURITY_SETTINGS.some((s) => name === s || name.endsWith(`.${s}`));
}

/** Which listener brokers talk to each other on: inter.broker.listener.name, or the one named after security.inter.broker.protocol. */
function interBrokerListenerName(v: KafkaConfigValues, props: ReadonlyMap<string, string>): { name: string | null; problem?: string } {
  const byName = v['inter.broker.listener.name'];
  const byProtocol = props.get('security.inter.broker.protocol');
  if (byName !== null && byProtocol !== undefined) return { name: null, problem: 'Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.' };
  if (byName !== null) return { name: byName.trim().toUpperCase() };
  if (byProtocol !== undefined) {
    const p = byProtocol.trim().toUpperCase();
    if (!SECURITY_PROTOCOLS.includes(p)) return { name: null, problem: `security.inter.broker.protocol must be one of ${SECURITY_PROTOCOLS.join(', ')}, got "${byProtocol}"` };
    return { name: p };
  }
  return { name: null };
}

function securityCrossCheck(v: KafkaConfigValues, props: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  let listeners: Listener[];
  let advertised: Listener[];
  try {
    listeners = parseListeners(v.listeners, v['listener.security.protocol.map']);
    advertised = v['advertised.listeners'] !== null ? parseListeners(v['advertised.listeners'], v['listener.security.protocol.map']) : listeners;
  } catch {
    return problems; // reported by crossCheck
  }
  for (const a of advertised) {
    if (!listeners.some((l) => l.name === a.name)) problems.push(`advertised.listeners names listener ${a.name}, which is not in listeners`);
  }
  const ib = interBrokerListenerName(v, props);
  if (ib.problem) problems.push(ib.problem);
  else if (ib.name !== null && !advertised.some((l) => l.name === ib.name)) {
    problems.push(`inter-broker listener ${ib.name} (inter.broker.listener.name / security.inter.broker.protocol) must be one of the advertised listeners (${advertised.map((l) => l.name).join(', ')})`);
  }
  const names = new Set(listeners.map((l) => l.name.toLowerCase()));
  for (const key of props.keys()) {
    const m = /^listener\.name\.([^.]+)\./.exec(key);
    if (!m) continue;
    if (m[1] !== m[1]!.toLowerCase()) problems.push(`${key}: the listener name in listener.name.<listener>.<setting> must be lower case (listener.name.${m[1]!.toLowerCase()}.…)`);
    else if (!names.has(m[1]!)) problems.push(`${key} configures listener ${m[1]!.toUpperCase()}, which is not in listeners`);
  }
  const reauth = props.get('connections.max.reauth.ms');
  if (reauth !== undefined && !/^\d+$/.test(reauth.trim())) problems.push(`connections.max.reauth.ms must be a non-negative integer, got "${reauth}"`);
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
    if (!SECURITY_PROTOCOLS.includes(protocol)) throw new Error(`listener ${name} maps to unknown security protocol ${protocol} (known: ${SECURITY_PROTOCOLS.join(', ')})`);
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
    const { name } = interBrokerListenerName(this.values, this.loaded.given);
    // Without either setting Kafka uses the listener named PLAINTEXT; Brook falls back to the first one.
    const found = this.advertisedListeners.find((l) => l.name === (name ?? 'PLAINTEXT'));
    return found ?? this.advertisedListeners[0]!;
  }
  /** A listener's value of a setting: `listener.name.<listener lower case>.<setting>`, else the broker-wide one. */
  listenerSetting(listenerName: string, setting: string): string | undefined {
    return this.loaded.given.get(`listener.name.${listenerName.toLowerCase()}.${setting}`) ?? this.loaded.given.get(setting);
  }
  /** The JAAS text for a SASL mechanism on a listener (per-mechanism form first, as Kafka looks it up). */
  saslJaasConfig(listenerName: string, mechanism: string): string | undefined {
    const l = listenerName.toLowerCase();
    const m = mechanism.toLowerCase();
    const g = this.loaded.given;
    return g.get(`listener.name.${l}.${m}.sasl.jaas.config`) ?? g.get(`listener.name.${l}.sasl.jaas.config`) ?? g.get(`${m}.sasl.jaas.config`) ?? g.get('sasl.jaas.config');
  }
  /** sasl.enabled.mechanisms of a listener (Kafka's default is GSSAPI, which Brook does not offer). */
  saslEnabledMechanisms(listenerName: string): string[] {
    return (this.listenerSetting(listenerName, 'sasl.enabled.mechanisms') ?? 'GSSAPI').split(',').map((s) => s.trim()).filter(Boolean);
  }
  get connectionsMaxReauthMs(): number {
    return Number(this.loaded.given.get('connections.max.reauth.ms') ?? '0');
  }
  get saslMechanismInterBrokerProtocol(): string {
    return (this.loaded.given.get('sasl.mechanism.inter.broker.protocol') ?? 'GSSAPI').trim();
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
