// The log cleaner's key → latest-offset map (Kafka's SkimpyOffsetMap): keys are stored as their MD5 digest only,
// so memory depends on the number of distinct keys, never on their size, and is bounded by
// log.cleaner.dedupe.buffer.size.
//
// Each slot holds a 16-byte digest and the offset (24 bytes, as Kafka). Unlike Kafka's map, which allocates the whole
// buffer up front, this one starts small and doubles as keys arrive, so a log with few keys costs little resident
// memory; while it rehashes, the old and the new table together still stay within the bound (so it holds fewer keys
// than Kafka's map of the same size: see grow()). Collisions are resolved
// by probing: first with successive 32-bit words of the digest, then linearly. There are no deletes.

/** Digest (16 bytes) + offset (8 bytes), as Kafka's SkimpyOffsetMap with MD5. */
export const BYTES_PER_ENTRY = 24;
const WORDS = 4;
const INITIAL_SLOTS = 1 << 16;
/** Old slots rehashed between two looks at the clock while the map grows. */
const REHASH_STEP = 2048;

export class OffsetMapFullError extends Error {
  constructor() {
    super('attempt to add a new entry to a full offset map');
    this.name = 'OffsetMapFullError';
  }
}

export class SkimpyOffsetMap {
  /** Slots the memory bound allows, counting a table being rehashed into the next. */
  readonly maxSlots: number;
  /** Slots of the largest table the map grows to. */
  readonly capacitySlots: number;
  /** Entries the map takes before it counts as full (Kafka's slots * log.cleaner.io.buffer.load.factor). */
  readonly maxEntries: number;
  private slots = 0;
  private digests = new Int32Array(0);
  /** offset + 1 per slot; 0 marks an empty slot. */
  private offsets = new Float64Array(0);
  private entries = 0;
  private lastOffset = -1;
  private readonly digest = new Int32Array(WORDS);

  /**
   * @param memory log.cleaner.dedupe.buffer.size: the most bytes the tables may take, rehashing included.
   * @param loadFactor log.cleaner.io.buffer.load.factor: how full the largest table may get.
   */
  constructor(
    readonly memory: number,
    readonly loadFactor: number,
  ) {
    this.maxSlots = Math.floor(memory / BYTES_PER_ENTRY);
    let slots = Math.min(INITIAL_SLOTS, this.maxSlots);
    for (let next = this.nextSize(slots); next > slots; next = this.nextSize(slots)) slots = next;
    this.capacitySlots = slots;
    this.maxEntries = Math.min(Math.floor(slots * loadFactor), slots - 1);
    if (this.maxEntries < 1) throw new RangeError(`an offset map of ${memory} bytes cannot hold a single key: raise log.cleaner.dedupe.buffer.size`);
  }

  /** Distinct keys put since the last clear. */
  get size(): number {
    return this.entries;
  }
  /** Bytes the table uses now. */
  get bytesUsed(): number {
    return this.slots * BYTES_PER_ENTRY;
  }
  /** Kafka's utilization: entries over the slots of the largest table. */
  get utilization(): number {
    return this.entries / this.capacitySlots;
  }
  isFull(): boolean {
    return this.entries >= this.maxEntries;
  }

  /** The latest offset put (or set by {@link updateLatestOffset}); -1 when empty. */
  get latestOffset(): number {
    return this.lastOffset;
  }
  updateLatestOffset(offset: number): void {
    this.lastOffset = offset;
  }

  /** Forgets every key and gives the tables back (the next clean starts small again). */
  clear(): void {
    this.slots = 0;
    this.digests = new Int32Array(0);
    this.offsets = new Float64Array(0);
    this.entries = 0;
    this.lastOffset = -1;
  }

  /**
   * Records `offset` as the latest for `key` (the bytes `key[start, end)`). Offsets must stay below 2^53. Past the
   * load factor the map asks to grow ({@link wantsToGrow}) rather than rehashing here, so the caller can grow it in
   * slices ({@link grow}); only a table about to run out of empty slots is grown on the spot.
   */
  put(key: Uint8Array, offset: number, start = 0, end = key.length): void {
    if (this.slots === 0) this.resize(Math.min(INITIAL_SLOTS, this.capacitySlots));
    md5Words(key, start, end, this.digest);
    let slot = this.find(this.digest);
    if (slot < 0 || this.offsets[slot] === 0) {
      if (this.isFull()) throw new OffsetMapFullError();
      if (this.entries + 1 >= this.slots) {
        this.resize(this.nextSize(this.slots));
        slot = this.find(this.digest);
        if (slot < 0) throw new OffsetMapFullError();
      }
      this.store(slot, this.digest, offset);
      this.entries++;
    } else this.offsets[slot] = offset + 1;
    this.lastOffset = offset;
  }

  /** More keys than the load factor allows in the current table, and room in the bound for a larger one. */
  get wantsToGrow(): boolean {
    return this.entries > this.slots * this.loadFactor && this.nextSize(this.slots) > this.slots;
  }

  /**
   * Moves to the next larger table, rehashing for at most `sliceMs` at a time and awaiting `pause` in between (the
   * cleaner gives the event loop back there: rehashing a large table at once takes tens of milliseconds, most of it
   * cache misses and first touches of the new table). Nothing else may use the map until this resolves.
   */
  async grow(pause: () => Promise<void>, sliceMs = 2): Promise<void> {
    if (!this.wantsToGrow) return;
    const old = this.beginResize(this.nextSize(this.slots));
    let sliceStart = performance.now();
    for (let from = 0; from < old.slots; from += REHASH_STEP) {
      this.rehash(old, from, Math.min(old.slots, from + REHASH_STEP));
      if (performance.now() - sliceStart >= sliceMs) {
        await pause();
        sliceStart = performance.now();
      }
    }
  }

  /** The latest offset recorded for `key`, or -1. */
  get(key: Uint8Array, start = 0, end = key.length): number {
    if (this.entries === 0) return -1;
    md5Words(key, start, end, this.digest);
    const slot = this.find(this.digest);
    return slot < 0 ? -1 : (this.offsets[slot] as number) - 1;
  }

  /** The slot holding `d`, or the empty slot where it would go; -1 when neither exists (a table filled to its last slot). */
  private find(d: Int32Array): number {
    const slots = this.slots;
    const digests = this.digests;
    const offsets = this.offsets;
    for (let attempt = 0; attempt < slots + WORDS; attempt++) {
      // The first probes use successive words of the digest, then probing goes on linearly from the last one.
      const word = attempt < WORDS ? (d[attempt] as number) : (d[WORDS - 1] as number);
      const slot = ((word >>> 0) + (attempt < WORDS ? 0 : attempt - WORDS + 1)) % slots;
      if (offsets[slot] === 0) return slot;
      const p = slot * WORDS;
      if (digests[p] === d[0] && digests[p + 1] === d[1] && digests[p + 2] === d[2] && digests[p + 3] === d[3]) return slot;
    }
    return -1;
  }

  private store(slot: number, d: Int32Array, offset: number): void {
    this.digests.set(d, slot * WORDS);
    this.offsets[slot] = offset + 1;
  }

  /**
   * The table after `slots`: doubled while the old and the new one fit in the bound together, then one last step to
   * whatever room the bound leaves next to the current table. The largest table is therefore between 1/2 and 2/3 of
   * the bound (Kafka's fixed map uses all of it, but holds it from the first clean on).
   */
  private nextSize(slots: number): number {
    const room = this.maxSlots - slots;
    return slots * 2 <= room ? slots * 2 : Math.max(room, slots);
  }

  private resize(slots: number): void {
    const old = this.beginResize(slots);
    this.rehash(old, 0, old.slots);
  }

  /** Switches to empty tables of `slots` slots and returns the old ones, whose entries are then rehashed. */
  private beginResize(slots: number): { slots: number; digests: Int32Array; offsets: Float64Array } {
    const old = { slots: this.slots, digests: this.digests, offsets: this.offsets };
    this.slots = slots;
    this.digests = new Int32Array(slots * WORDS);
    this.offsets = new Float64Array(slots);
    return old;
  }

  private rehash(old: { digests: Int32Array; offsets: Float64Array }, from: number, to: number): void {
    const d = new Int32Array(WORDS);
    for (let s = from; s < to; s++) {
      const o = old.offsets[s] as number;
      if (o === 0) continue;
      for (let w = 0; w < WORDS; w++) d[w] = old.digests[s * WORDS + w] as number;
      this.store(this.find(d), d, o - 1);
    }
  }
}

// ---- MD5 (RFC 1321) ---------------------------------------------------------------------------------------------
// In JavaScript rather than through node:crypto: keys are short, and a native call plus a Buffer per key costs about
// five times more than hashing them here.

const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const K = new Int32Array(64);
const G = new Uint8Array(64);
const S = new Uint8Array(64);
for (let i = 0; i < 64; i++) {
  K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) | 0;
  const round = i >> 4;
  G[i] = round === 0 ? i : round === 1 ? (5 * i + 1) % 16 : round === 2 ? (3 * i + 5) % 16 : (7 * i) % 16;
  S[i] = SHIFTS[round * 4 + (i % 4)] as number;
}
const BLOCK = new Int32Array(16);

/** The MD5 digest of `data[start, end)` as four little-endian 32-bit words (the digest's bytes in order). */
export function md5Words(data: Uint8Array, start: number, end: number, out: Int32Array): void {
  const len = end - start;
  const blocks = ((len + 8) >>> 6) + 1;
  let a0 = 0x67452301;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476;
  for (let blk = 0; blk < blocks; blk++) {
    const base = blk * 64;
    for (let w = 0; w < 16; w++) {
      const i = base + w * 4;
      if (i + 3 < len) {
        const p = start + i;
        BLOCK[w] = (data[p] as number) | ((data[p + 1] as number) << 8) | ((data[p + 2] as number) << 16) | ((data[p + 3] as number) << 24);
      } else {
        let v = 0;
        for (let b = 0; b < 4; b++) {
          const j = i + b;
          const byte = j < len ? (data[start + j] as number) : j === len ? 0x80 : 0;
          v |= byte << (8 * b);
        }
        BLOCK[w] = v;
      }
    }
    if (blk === blocks - 1) {
      // Message length in bits, 64-bit little-endian, in the last two words.
      BLOCK[14] = (len << 3) | 0;
      BLOCK[15] = Math.floor(len / 0x20000000) | 0;
    }
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number;
      if (i < 16) f = (b & c) | (~b & d);
      else if (i < 32) f = (d & b) | (~d & c);
      else if (i < 48) f = b ^ c ^ d;
      else f = c ^ (b | ~d);
      f = (f + a + (K[i] as number) + (BLOCK[G[i] as number] as number)) | 0;
      a = d;
      d = c;
      c = b;
      const s = S[i] as number;
      b = (b + ((f << s) | (f >>> (32 - s)))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  out[0] = a0;
  out[1] = b0;
  out[2] = c0;
  out[3] = d0;
}
