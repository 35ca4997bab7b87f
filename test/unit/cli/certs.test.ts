// `brook certs`: a CA, broker and client certificates that chain to it (PEM and PKCS12), valid for the hosts asked.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { certsProperties, makeCerts } from '../../../src/cli/commands/certs';

describe('brook certs', () => {
  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-certs-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('makes a CA and certificates signed by it, for the hosts and client names given', () => {
    const r = makeCerts(dir, { hosts: ['broker1', '127.0.0.1'], clients: ['alice', 'bob'], password: 'pw', expiredClient: true });
    const ca = new X509Certificate(fs.readFileSync(r.caPem));
    const broker = new X509Certificate(fs.readFileSync(r.brokerPem));
    expect(ca.ca).toBe(true);
    expect(broker.verify(ca.publicKey)).toBe(true);
    expect(broker.checkHost('broker1')).toBe('broker1');
    expect(broker.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(broker.checkHost('other')).toBeUndefined();
    for (const name of ['alice', 'bob']) {
      const c = new X509Certificate(fs.readFileSync(r.clients[name]!.pem));
      expect(c.subject.split('\n')).toEqual(['O=Brook', 'OU=Clients', `CN=${name}`]);
      expect(c.verify(ca.publicKey)).toBe(true);
    }
    const expired = new X509Certificate(fs.readFileSync(r.expired!.pem));
    expect(new Date(expired.validTo).getTime()).toBeLessThan(Date.now());
    expect(expired.verify(ca.publicKey)).toBe(true);
    // The PKCS12 keystores open with the password (as ssl.keystore.type=PKCS12), and the PEM keystore file holds both.
    expect(() => tls.createSecureContext({ pfx: fs.readFileSync(r.brokerP12), passphrase: 'pw' })).not.toThrow();
    expect(() => tls.createSecureContext({ pfx: fs.readFileSync(r.brokerP12), passphrase: 'nope' })).toThrow();
    const pem = fs.readFileSync(path.join(dir, 'broker-keystore.pem'), 'utf8');
    expect(() => tls.createSecureContext({ key: pem, cert: pem })).not.toThrow();
    expect(certsProperties(r)).toContain(`ssl.truststore.location=${r.caPem}`);
  });
});
