// How the console shows bytes (record keys, values, headers) and sizes: as text, as JSON when they parse, as hex.

export interface RenderedBytes {
  /** Byte length of the original; null for a null key/value. */
  size: number | null;
  /** UTF-8 text, or null when the bytes are not valid UTF-8. */
  text: string | null;
  /** Pretty-printed JSON, or null when the text is not a JSON document. */
  json: string | null;
  /** Hex bytes, 16 per line with the offset in front. */
  hex: string | null;
  /** Whether the renderings stop before the end (values above `limit` bytes). */
  truncated: boolean;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Bytes as `0000  7b 22 61 22 ...` lines of 16. */
export function hexDump(buf: Buffer): string {
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i += 16) {
    const row = [...buf.subarray(i, i + 16)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    lines.push(`${i.toString(16).padStart(4, '0')}  ${row}`);
  }
  return lines.join('\n');
}

/** Text, JSON and hex renderings of a key, value or header value (the first `limit` bytes of it). */
export function renderBytes(buf: Buffer | null, limit = 64 * 1024): RenderedBytes {
  if (buf === null) return { size: null, text: null, json: null, hex: null, truncated: false };
  const truncated = buf.length > limit;
  const part = truncated ? buf.subarray(0, limit) : buf;
  let text: string | null = null;
  try {
    text = decoder.decode(part);
  } catch {
    text = null;
  }
  let json: string | null = null;
  if (text !== null && !truncated && /^\s*[[{"\-0-9tfn]/.test(text)) {
    try {
      json = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      json = null;
    }
  }
  return { size: buf.length, text, json, hex: hexDump(part), truncated };
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 -> "1.5 KiB"; null or negative -> "–". */
export function formatBytes(n: number | bigint | null): string {
  if (n === null) return '–';
  let v = Number(n);
  if (v < 0 || !Number.isFinite(v)) return '–';
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
}

/** JSON.stringify that writes bigints as decimal strings (offsets, sizes and timestamps are int64). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
