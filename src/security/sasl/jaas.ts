// Parses the JAAS text Kafka takes in `sasl.jaas.config` (one login module: class, control flag, options, ';').

export type JaasControlFlag = 'required' | 'requisite' | 'sufficient' | 'optional';

export interface JaasLoginModule {
  readonly loginModule: string;
  readonly controlFlag: JaasControlFlag;
  readonly options: ReadonlyMap<string, string>;
}

export class JaasConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JaasConfigError';
  }
}

const FLAGS: readonly string[] = ['required', 'requisite', 'sufficient', 'optional'];

interface Token { kind: 'word' | 'quoted' | 'eq' | 'semi'; text: string; at: number }

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    // Java-style comments, which Kafka's StreamTokenizer-based parser skips too.
    if (c === '/' && text[i + 1] === '/') { while (i < text.length && text[i] !== '\n') i++; continue; }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new JaasConfigError('unterminated comment in JAAS configuration');
      i = end + 2;
      continue;
    }
    if (c === '=') { out.push({ kind: 'eq', text: c, at: i }); i++; continue; }
    if (c === ';') { out.push({ kind: 'semi', text: c, at: i }); i++; continue; }
    if (c === '"' || c === "'") {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new JaasConfigError(`unterminated quoted value starting at offset ${start} in JAAS configuration`);
        const d = text[i]!;
        if (d === c) { i++; break; }
        if (d === '\\' && i + 1 < text.length) { value += text[i + 1]; i += 2; continue; }
        value += d;
        i++;
      }
      out.push({ kind: 'quoted', text: value, at: start });
      continue;
    }
    const start = i;
    while (i < text.length && !/[\s=;"']/.test(text[i]!)) i++;
    out.push({ kind: 'word', text: text.slice(start, i), at: start });
  }
  return out;
}

/** Parses every login module of a JAAS text (a `KafkaServer { ... };` file section's body has the same shape). */
export function parseJaasModules(text: string): JaasLoginModule[] {
  const tokens = tokenize(text);
  const modules: JaasLoginModule[] = [];
  let i = 0;
  while (i < tokens.length) {
    const cls = tokens[i++]!;
    if (cls.kind !== 'word') throw new JaasConfigError(`expected a login module class name at offset ${cls.at} in JAAS configuration, got "${cls.text}"`);
    const flag = tokens[i++];
    if (flag === undefined || flag.kind !== 'word' || !FLAGS.includes(flag.text.toLowerCase())) {
      throw new JaasConfigError(`login module ${cls.text} must be followed by a control flag (required, requisite, sufficient or optional)${flag ? `, got "${flag.text}"` : ''}`);
    }
    const options = new Map<string, string>();
    for (;;) {
      const t = tokens[i++];
      if (t === undefined) throw new JaasConfigError(`JAAS configuration for ${cls.text} must end with ';'`);
      if (t.kind === 'semi') break;
      if (t.kind !== 'word') throw new JaasConfigError(`expected an option name at offset ${t.at} in JAAS configuration, got "${t.text}"`);
      const eq = tokens[i++];
      if (eq === undefined || eq.kind !== 'eq') throw new JaasConfigError(`option ${t.text} of ${cls.text} must be followed by '=' and a value`);
      const v = tokens[i++];
      if (v === undefined || (v.kind !== 'word' && v.kind !== 'quoted')) throw new JaasConfigError(`option ${t.text} of ${cls.text} has no value`);
      options.set(t.text, v.text);
    }
    modules.push({ loginModule: cls.text, controlFlag: flag.text.toLowerCase() as JaasControlFlag, options });
  }
  return modules;
}

/** `sasl.jaas.config` holds exactly one login module, as Kafka requires. */
export function parseJaasConfig(text: string): JaasLoginModule {
  const modules = parseJaasModules(text);
  if (modules.length !== 1) throw new JaasConfigError(`sasl.jaas.config must contain exactly one login module, found ${modules.length}`);
  return modules[0]!;
}

/** PlainLoginModule's `user_<name>="<password>"` options: the users a PLAIN server accepts. */
export function plainUsers(module: JaasLoginModule): Map<string, string> {
  const users = new Map<string, string>();
  for (const [k, v] of module.options) if (k.startsWith('user_')) users.set(k.slice('user_'.length), v);
  return users;
}

/** The `username`/`password` a client (or a broker talking to other brokers) logs in with. */
export function clientCredentials(module: JaasLoginModule): { username: string; password: string } | null {
  const username = module.options.get('username');
  const password = module.options.get('password');
  return username === undefined || password === undefined ? null : { username, password };
}
