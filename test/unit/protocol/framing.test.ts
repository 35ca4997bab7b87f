// FrameDecoder: size-prefixed frames reassembled from arbitrary chunks, views where possible, copies via `alloc`.
// CopyingFrameReader: the same frames copied out of one reused read buffer as the bytes arrive.
import { CopyingFrameReader, FrameDecoder, SIZE_PREFIX_BYTES } from '../../../src/protocol/framing';

const frame = (body: Buffer): Buffer => {
  const b = Buffer.alloc(4 + body.length);
  b.writeInt32BE(body.length, 0);
  body.copy(b, 4);
  return b;
};

/** Takes every whole frame the decoder holds. */
function drain(d: FrameDecoder, alloc?: (n: number) => Buffer): Buffer[] {
  const out: Buffer[] = [];
  while (d.buffered >= SIZE_PREFIX_BYTES && d.hasFrame(d.peekSize())) out.push(d.takeFrame(d.peekSize(), alloc));
  return out;
}

test('frames split at every pair of places come out whole and in order', () => {
  const bodies = [Buffer.from('first'), Buffer.alloc(0), Buffer.from('a longer third frame')];
  const wire = Buffer.concat(bodies.map(frame));
  for (let i = 0; i <= wire.length; i++) {
    for (let j = i; j <= wire.length; j++) {
      const d = new FrameDecoder();
      const got: Buffer[] = [];
      for (const part of [wire.subarray(0, i), wire.subarray(i, j), wire.subarray(j)]) {
        if (part.length > 0) d.push(part);
        got.push(...drain(d));
      }
      expect(got.map((b) => b.toString())).toEqual(bodies.map((b) => b.toString()));
      expect(d.buffered).toBe(0);
    }
  }
});

test('a frame within one chunk is a view of it; one spread over chunks is copied into alloc(size)', () => {
  const wire = Buffer.concat([frame(Buffer.from('view')), frame(Buffer.from('copied'))]);
  const d = new FrameDecoder();
  const allocated: number[] = [];
  const alloc = (n: number): Buffer => {
    allocated.push(n);
    return Buffer.alloc(n);
  };
  d.push(wire.subarray(0, 14)); // the first frame (8 bytes), then the second's prefix and 2 bytes of its body
  d.push(wire.subarray(14));
  const [view, copied] = drain(d, alloc);
  expect(view!.buffer).toBe(wire.buffer);
  expect(copied!.toString()).toBe('copied');
  expect(allocated).toEqual([6]);
});

test('peekSize reads a prefix split over chunks, before the frame arrives, and clear() drops everything', () => {
  const d = new FrameDecoder();
  const wire = frame(Buffer.alloc(300));
  d.push(wire.subarray(0, 1));
  d.push(wire.subarray(1, 3));
  d.push(wire.subarray(3, 5));
  expect(d.peekSize()).toBe(300);
  expect(d.hasFrame(300)).toBe(false);
  d.clear();
  expect(d.buffered).toBe(0);
});

describe('CopyingFrameReader', () => {
  const bodies = [Buffer.from('first'), Buffer.alloc(0), Buffer.from('a longer third frame')];
  const wire = Buffer.concat(bodies.map(frame));

  /** Feeds `parts` through one reused buffer, as a socket with `onread` does, overwriting it after each read. */
  function feed(parts: Buffer[], reader: CopyingFrameReader): boolean[] {
    const shared = Buffer.alloc(wire.length);
    return parts.map((part) => {
      part.copy(shared);
      const ok = reader.read(shared.subarray(0, part.length));
      shared.fill(0xee);
      return ok;
    });
  }

  it('copies frames split at every pair of places out whole and in order, intact after the read buffer is reused', () => {
    for (let i = 0; i <= wire.length; i++) {
      for (let j = i; j <= wire.length; j++) {
        const got: Buffer[] = [];
        const reader = new CopyingFrameReader((n) => Buffer.alloc(n), () => true, (f) => got.push(f));
        feed([wire.subarray(0, i), wire.subarray(i, j), wire.subarray(j)].filter((p) => p.length > 0), reader);
        expect(got.map((b) => b.toString())).toEqual(bodies.map((b) => b.toString()));
        expect(reader.partialBytes).toBe(0);
      }
    }
  });

  it('allocates each frame once, from its size prefix, before its bytes arrive, and counts what it holds', () => {
    const sizes: number[] = [];
    const got: Buffer[] = [];
    const reader = new CopyingFrameReader((n) => { sizes.push(n); return Buffer.alloc(n); }, () => true, (f) => got.push(f));
    // The prefix of the third frame and 3 of its bytes.
    const cut = frame(bodies[0]!).length + frame(bodies[1]!).length + SIZE_PREFIX_BYTES + 3;
    feed([wire.subarray(0, cut)], reader);
    expect(sizes).toEqual([5, bodies[2]!.length]);
    expect(got).toHaveLength(2);
    expect(reader.partialBytes).toBe(SIZE_PREFIX_BYTES + 3);
    feed([wire.subarray(cut)], reader);
    expect(got.map((b) => b.toString())).toEqual(bodies.map((b) => b.toString()));
  });

  it('stops at a refused size without allocating for it', () => {
    const big = Buffer.alloc(8);
    big.writeInt32BE(1 << 30, 0);
    const sizes: number[] = [];
    const got: Buffer[] = [];
    const reader = new CopyingFrameReader((n) => { sizes.push(n); return Buffer.alloc(n); }, (size) => size < 1024, (f) => got.push(f));
    expect(feed([Buffer.concat([frame(Buffer.from('ok')), big])], reader)).toEqual([false]);
    expect(got.map((b) => b.toString())).toEqual(['ok']);
    expect(sizes).toEqual([2]);
  });
});
