// ssl.principal.mapping.rules as Kafka's SslPrincipalMapper reads them: DEFAULT (the DN itself) or
// RULE:pattern/replacement/[LU], tried in order; the first rule whose pattern matches the whole DN wins.

export class SslPrincipalMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SslPrincipalMappingError';
  }
}

interface Rule {
  readonly isDefault: boolean;
  readonly pattern?: RegExp;
  readonly whole?: RegExp;
  readonly replacement?: string;
  readonly toLower?: boolean;
  readonly toUpper?: boolean;
  readonly text: string;
}

// Kafka's RULE_PATTERN: group 1 DEFAULT, 2 the pattern, 4 the replacement, 6 the case flag, 7 anything else.
const RULE_PATTERN = String.raw`(DEFAULT)|RULE:((\\.|[^\\/])*)/((\\.|[^\\/])*)/([LU]?).*?|(.*?)`;
const RULE_SPLITTER = new RegExp(String.raw`\s*(` + RULE_PATTERN + String.raw`)\s*(,\s*|$)`, 'g');
const RULE_PARSER = new RegExp(`^(?:${RULE_PATTERN})`);

function splitRules(rules: string): string[] {
  const out: string[] = [];
  const text = rules.trim();
  RULE_SPLITTER.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = RULE_SPLITTER.exec(text)) !== null) {
    out.push(m[1] ?? '');
    // Like Java's Matcher.find, move past an empty match instead of matching it forever.
    if (m[0] === '') {
      if (RULE_SPLITTER.lastIndex >= text.length) break;
      RULE_SPLITTER.lastIndex++;
    }
  }
  return out;
}

function parseRule(rule: string): Rule | null {
  const m = RULE_PARSER.exec(rule);
  if (!m) throw new SslPrincipalMappingError(`Invalid rule: ${rule}`);
  if (m[0].length !== rule.length) throw new SslPrincipalMappingError(`Invalid rule: \`${rule}\`, unmatched substring: \`${rule.slice(m[0].length)}\``);
  if (m[1] !== undefined) return { isDefault: true, text: 'DEFAULT' };
  if (m[2] === undefined) return null; // empty rules are ignored
  let pattern: RegExp;
  let whole: RegExp;
  try {
    pattern = new RegExp(m[2], 'g');
    whole = new RegExp(`^(?:${m[2]})$`);
  } catch (e) {
    throw new SslPrincipalMappingError(`Invalid rule: ${rule}: ${(e as Error).message}`);
  }
  return { isDefault: false, pattern, whole, replacement: m[4] ?? '', toLower: m[6] === 'L', toUpper: m[6] === 'U', text: rule };
}

/**
 * Expands a Java replacement string for one match: `$n` is group n, `\c` a literal c. A `$n` beyond the groups is
 * read as Kafka reads it (drop trailing digits while above the group count, then literal if still too big).
 */
function expand(replacement: string, groups: ReadonlyArray<string | undefined>): string {
  const groupCount = groups.length - 1;
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c === '\\' && i + 1 < replacement.length) { out += replacement[++i]; continue; }
    if (c === '$') {
      const digits = /^\d+/.exec(replacement.slice(i + 1))?.[0];
      if (digits === undefined) { out += c; continue; }
      let n = digits;
      while (n.length > 1 && Number(n) > groupCount) n = n.slice(0, -1);
      if (Number(n) > groupCount || (n.startsWith('0') && n !== '0')) { out += c; continue; }
      out += groups[Number(n)] ?? '';
      i += n.length;
      continue;
    }
    out += c;
  }
  return out;
}

export class SslPrincipalMapper {
  private readonly rules: Rule[];

  /** Throws SslPrincipalMappingError for an invalid rule (a broker refuses to start with one, as Kafka). */
  constructor(rules: string | null = null) {
    this.rules = splitRules(rules ?? 'DEFAULT').map(parseRule).filter((r): r is Rule => r !== null);
  }

  /** The principal name for a distinguished name; throws when no rule applies (the connection then fails). */
  getName(dn: string): string {
    for (const r of this.rules) {
      if (r.isDefault) return dn;
      if (!r.whole!.test(dn)) continue;
      // The callback gets (match, group 1..n, offset, whole string): keep the match and its groups.
      const groupCount = new RegExp(`${r.pattern!.source}|`).exec('')!.length - 1;
      let result = dn.replace(r.pattern!, (...args: unknown[]) => expand(r.replacement!, args.slice(0, groupCount + 1) as Array<string | undefined>));
      if (r.toLower) result = result.toLowerCase();
      else if (r.toUpper) result = result.toUpperCase();
      return result;
    }
    throw new SslPrincipalMappingError(`No rules apply to ${dn}, rules [${this.rules.map((r) => r.text).join(', ')}]`);
  }
}
