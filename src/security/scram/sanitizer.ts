// Kafka's Sanitizer: user and client-id names as ZooKeeper path segments (/config/users/<name>), URL-encoded as Java's
// URLEncoder does with `*` as %2A and space as %20; only A-Z a-z 0-9 . - _ stay as they are.

export function sanitize(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9._-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** URLDecoder.decode: %XX sequences as UTF-8, `+` as a space. */
export function desanitize(name: string): string {
  return decodeURIComponent(name.replace(/\+/g, '%20'));
}
