// A cursor over an uncompressed record section that reads Kafka's zig-zag varints as plain numbers (no BigInt, no
// allocation per field): the hot-path reader of the leader's record validation and of the log cleaner.

export class SectionReader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  /** Zig-zag varint of at most 5 bytes. Throws RangeError past the end or when too long. */
  varint(): number {
    const b = this.buf;
    let u = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= b.length) throw new RangeError('varint past the end of the record section');
      const byte = b[this.pos++] as number;
      u |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        u >>>= 0;
        return (u >>> 1) ^ -(u & 1);
      }
    }
    throw new RangeError('varint too long');
  }

  /** Zig-zag varlong of at most 10 bytes, exact within ±2^53 (far beyond any timestamp delta). */
  varlong(): number {
    const b = this.buf;
    let u = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= b.length) throw new RangeError('varlong past the end of the record section');
      const byte = b[this.pos++] as number;
      u += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
      scale *= 128;
    }
    throw new RangeError('varlong too long');
  }

  /** Skips `len` bytes (a null field, len -1, skips none). Throws RangeError past the end. */
  skip(len: number, what: string): void {
    if (len < 0) return;
    if (this.pos + len > this.buf.length) throw new RangeError(`${what} of ${len} bytes runs past the end of the record section`);
    this.pos += len;
  }
}
