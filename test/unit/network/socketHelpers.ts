// What the SocketServer tests share: framing a payload, connecting, and splitting what the server sends into frames.
import net from 'node:net';

/** A size-prefixed frame carrying `payload`. */
export function frame(payload: Buffer): Buffer {
  const b = Buffer.alloc(4 + payload.length);
  b.writeInt32BE(payload.length, 0);
  payload.copy(b, 4);
  return b;
}

export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Calls `onFrame` with the body of every whole frame the socket receives, in order. */
export function onFrames(s: net.Socket, onFrame: (body: Buffer) => void): void {
  let buf: Buffer = Buffer.alloc(0);
  s.on('data', (d: Buffer) => {
    buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
      const size = buf.readInt32BE(0);
      onFrame(buf.subarray(4, 4 + size));
      buf = buf.subarray(4 + size);
    }
  });
}
