// Kafka's ConsumerProtocol v0 (subscription and assignment bytes inside JoinGroup/SyncGroup) and the range assignor.

export interface Subscription {
  topics: string[];
  userData: Buffer | null;
}

export interface Assignment {
  /** topic -> partitions */
  partitions: Map<string, number[]>;
  userData: Buffer | null;
}

class Out {
  private parts: Buffer[] = [];
  int16(v: number): void { const b = Buffer.alloc(2); b.writeInt16BE(v); this.parts.push(b); }
  int32(v: number): void { const b = Buffer.alloc(4); b.writeInt32BE(v); this.parts.push(b); }
  string(s: string): void { const d = Buffer.from(s, 'utf8'); this.int16(d.length); this.parts.push(d); }
  bytes(d: Buffer | null): void { if (d === null) { this.int32(-1); return; } this.int32(d.length); this.parts.push(d); }
  done(): Buffer { return Buffer.concat(this.parts); }
}

class In {
  pos = 0;
  constructor(private readonly b: Buffer) {}
  private need(n: number): void {
    if (this.pos + n > this.b.length) throw new Error(`consumer protocol bytes end early (need ${n} at ${this.pos} of ${this.b.length})`);
  }
  int16(): number { this.need(2); const v = this.b.readInt16BE(this.pos); this.pos += 2; return v; }
  int32(): number { this.need(4); const v = this.b.readInt32BE(this.pos); this.pos += 4; return v; }
  string(): string { const n = this.int16(); if (n < 0) return ''; this.need(n); const s = this.b.toString('utf8', this.pos, this.pos + n); this.pos += n; return s; }
  bytes(): Buffer | null { const n = this.int32(); if (n < 0) return null; this.need(n); const d = this.b.subarray(this.pos, this.pos + n); this.pos += n; return d; }
  get atEnd(): boolean { return this.pos >= this.b.length; }
}

export function encodeSubscription(s: Subscription): Buffer {
  const o = new Out();
  o.int16(0);
  o.int32(s.topics.length);
  for (const t of s.topics) o.string(t);
  o.bytes(s.userData);
  return o.done();
}

/** Reads any version's v0 prefix (later versions only append fields, which we ignore). */
export function decodeSubscription(b: Buffer): Subscription {
  const i = new In(b);
  i.int16();
  const n = i.int32();
  const topics: string[] = [];
  for (let k = 0; k < n; k++) topics.push(i.string());
  const userData = i.atEnd ? null : i.bytes();
  return { topics, userData };
}

export function encodeAssignment(a: Assignment): Buffer {
  const o = new Out();
  o.int16(0);
  o.int32(a.partitions.size);
  for (const [topic, parts] of a.partitions) {
    o.string(topic);
    o.int32(parts.length);
    for (const p of parts) o.int32(p);
  }
  o.bytes(a.userData);
  return o.done();
}

export function decodeAssignment(b: Buffer): Assignment {
  const partitions = new Map<string, number[]>();
  // An empty assignment (a member left without partitions) travels as zero bytes.
  if (b.length === 0) return { partitions, userData: null };
  const i = new In(b);
  i.int16();
  const n = i.int32();
  for (let k = 0; k < n; k++) {
    const topic = i.string();
    const m = i.int32();
    const parts: number[] = [];
    for (let j = 0; j < m; j++) parts.push(i.int32());
    partitions.set(topic, parts);
  }
  const userData = i.atEnd ? null : i.bytes();
  return { partitions, userData };
}

/**
 * Kafka's RangeAssignor: per topic, members subscribed to it sorted by member id; each takes a
 * contiguous range, and the first (partitions % members) members take one extra.
 */
export function rangeAssign(
  subscriptions: Map<string, string[]>,
  partitionCounts: Map<string, number>,
): Map<string, Map<string, number[]>> {
  const out = new Map<string, Map<string, number[]>>();
  for (const member of subscriptions.keys()) out.set(member, new Map());
  const byTopic = new Map<string, string[]>();
  for (const [member, topics] of subscriptions) {
    for (const t of topics) {
      const list = byTopic.get(t) ?? [];
      list.push(member);
      byTopic.set(t, list);
    }
  }
  for (const [topic, members] of [...byTopic].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const count = partitionCounts.get(topic);
    if (count === undefined || count <= 0) continue;
    members.sort();
    const per = Math.floor(count / members.length);
    const extra = count % members.length;
    members.forEach((m, i) => {
      const start = per * i + Math.min(i, extra);
      const len = per + (i < extra ? 1 : 0);
      if (len === 0) return;
      const parts: number[] = [];
      for (let p = start; p < start + len; p++) parts.push(p);
      out.get(m)!.set(topic, parts);
    });
  }
  return out;
}
