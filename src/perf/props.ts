// Client property values of the perf tools (--producer-props / --consumer-props), checked as Kafka's clients do.

/** An integer property of at least `min`; `fail` builds the tool's own error for a bad value. */
export function intProperty(kind: 'producer' | 'consumer', key: string, value: string, min: number, fail: (message: string) => Error): number {
  if (!/^-?\d+$/.test(value.trim())) throw fail(`${kind} property ${key}=${value}: expected an integer`);
  const n = Number(value);
  if (n < min) throw fail(`${kind} property ${key}=${value}: must be at least ${min}`);
  return n;
}
