// Bounds-checked reader and presized writer for Kafka's wire primitives (big-endian ints, varints).

/** Thrown for any malformed input: truncation, bad lengths, over-long varints, nulls where not allowed. */
export class ProtocolDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolDecodeError';
  }
}

/** Thrown when a value cannot be written at the requested version (e.g. null in a non-nullable field). */
export class ProtocolEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolEncodeError';
  }
}

/** Reads from buf[pos, end); every read checks the remaining length first. */
export class Reader {
  pos: number;
  end: number;
  constructor(
    readonly buf: Buffer,
    pos = 0,
    end = buf.length,
  ) {
    this.pos = pos;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  need(n: number, what: string): void {
    if (n > this.end - this.pos) {
      throw new ProtocolDecodeError(`truncated ${what}: need ${n} bytes, have ${this.end - this.pos}`);
    }
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.pos++);
  }
  int16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  uint16(): number {
    this.need(2, 'uint16');
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int64(): bigint {
    this.need(8, 'int64');
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  float64(): number {
    this.need(8, 'float64');
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }
  bool(): boolean {
    this.need(1, 'bool');
    return this.buf[this.pos++] !== 0;
  }

  /** Unsigned varint of at most 32 bits (5 bytes); longer encodings are malformed. */
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw new ProtocolDecodeError('truncated varint');
      const b = this.buf[this.pos++] as number;
      if (i === 4 && b > 0x0f) throw new ProtocolDecodeError('varint too long');
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
    throw new ProtocolDecodeError('varint too long');
  }

  /** Raw bytes as a view into the frame (no copy). */
  view(n: number, what: string): Buffer {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  utf8(n: number, what: string): string {
    this.need(n, what);
    const buf = this.buf;
    const start = this.pos;
    this.pos += n;
    // Short ASCII strings (topic names, hosts, ids) are faster to build by hand than via toString.
    if (n <= 24) {
      let s = '';
      for (let i = start; i < start + n; i++) {
        const b = buf[i] as number;
        if (b >= 0x80) return buf.toString('utf8', start, start + n);
        s += String.fromCharCode(b);
      }
      return s;
    }
    return buf.toString('utf8', start, start + n);
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }
}

/** Bytes an unsigned varint takes. */
export function uvarintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

/** Byte fields at least this large are referenced, not copied, by encodeResponseParts. */
export const SPLICE_MIN_BYTES = 64 * 1024;

/**
 * Writes into a buffer allocated once at its final size. `lens` carries values computed in the sizing
 * pass (string byte lengths, tagged-field sizes) to the writing pass, which consumes them in order.
 */
export class Writer {
  buf: Buffer;
  pos = 0;
  lens: number[] = [];
  li = 0;
  constructor(size = 0) {
    this.buf = Buffer.allocUnsafe(size);
  }

  reset(size: number, lens: number[]): void {
    this.buf = Buffer.allocUnsafe(size);
    this.pos = 0;
    this.lens = lens;
    this.li = 0;
  }

  int8(v: number): void {
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
  }
  int16(v: number): void {
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }
  uint16(v: number): void {
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }
  int32(v: number): void {
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }
  int64(v: bigint): void {
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
  }
  float64(v: number): void {
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }
  bool(v: boolean): void {
    this.buf[this.pos++] = v ? 1 : 0;
  }
  uvarint(v: number): void {
    const buf = this.buf;
    while (v >= 0x80) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[this.pos++] = v;
  }
  /** Writes a string whose byte length was measured in the sizing pass. */
  utf8(s: string, byteLength: number): void {
    if (byteLength > 0) this.buf.write(s, this.pos, byteLength, 'utf8');
    this.pos += byteLength;
  }
  /**
   * Large byte fields left out of `buf` and sent by reference (see encodeResponseParts): each is inserted at
   * `at` in `buf`. Null while encoding normally (everything is copied into `buf`).
   */
  spliced: Array<{ at: number; b: Buffer }> | null = null;

  bytes(b: Buffer): void {
    if (this.spliced !== null && b.length >= SPLICE_MIN_BYTES) {
      this.spliced.push({ at: this.pos, b });
      return;
    }
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }
  nextLen(): number {
    return this.lens[this.li++] as number;
  }
}
