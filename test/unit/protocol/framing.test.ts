// FrameDecoder: size-prefixed frames reassembled from arbitrary chunks, views where possible, copies via `alloc`.
import { FrameDecoder, SIZE_PREFIX_BYTES } from '../../../src/protocol/framing';

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
