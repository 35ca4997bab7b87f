// A certificate subject in the RFC 2253 form Java's X500Principal.getName() gives (what Kafka's SSL principal
// mapping rules match): most specific RDN first, comma-separated, special characters escaped.

const escapeValue = (v: string): string =>
  v.replace(/([,+"\\<>;])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');

/**
 * From node's X509Certificate.subject (one `KEY=value` per line, in certificate order, values unescaped) to
 * RFC 2253. Multi-valued RDNs (`a=1+b=2`, as node prints them) are kept together.
 */
export function rfc2253FromNodeSubject(subject: string): string {
  const lines = subject.split('\n').filter((l) => l !== '');
  return lines
    .reverse()
    .map((line) => {
      const eq = line.indexOf('=');
      if (eq < 0) return escapeValue(line);
      const key = line.slice(0, eq);
      // Node already escapes what OpenSSL's RFC 2253 printing escapes; keep escaped text as it is.
      const value = line.slice(eq + 1);
      return `${key}=${/\\/.test(value) ? value : escapeValue(value)}`;
    })
    .join(',');
}
