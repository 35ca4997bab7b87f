// File access for TLS settings: keystores and truststores by path, and PKCS12 trust stores read with the openssl CLI
// (node reads a PKCS12 file with a key as `pfx`, but not one holding only trusted certificates).
import { readFileSync } from 'node:fs';

// node:child_process is required on first use: it is only for PKCS12 trust stores and costs start-up time.
function execFileSync(file: string, args: string[], options: { input: Buffer; stdio: ['pipe', 'pipe', 'pipe'] }): Buffer {
  return (require('node:child_process') as typeof import('node:child_process')).execFileSync(file, args, options);
}

export const nodeSslIo = {
  readFile: (path: string): Buffer => readFileSync(path),
  pkcs12Certificates(pfx: Buffer, password: string | undefined): string {
    const args = ['pkcs12', '-nokeys', '-passin', `pass:${password ?? ''}`];
    try {
      return execFileSync('openssl', args, { input: pfx, stdio: ['pipe', 'pipe', 'pipe'] }).toString('utf8');
    } catch (e) {
      const err = e as { code?: string; stderr?: Buffer };
      if (err.code === 'ENOENT') throw new Error('reading a PKCS12 truststore needs the openssl command; use ssl.truststore.type=PEM instead');
      // OpenSSL 3 refuses old RC2-encrypted stores (keytool's default before Java 12) unless told to use legacy ciphers.
      try {
        return execFileSync('openssl', [...args, '-legacy'], { input: pfx, stdio: ['pipe', 'pipe', 'pipe'] }).toString('utf8');
      } catch {
        throw new Error((err.stderr?.toString('utf8') ?? String(e)).trim().split('\n')[0] ?? 'openssl failed');
      }
    }
  },
};
