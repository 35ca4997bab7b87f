// ssl.* settings to node:tls options: PEM text and files, encrypted keys, PKCS12 key and trust stores, protocols,
// cipher suite names, and the messages for settings that cannot work.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { makeCerts, type CertsResult } from '../../../src/util/certs';
import { nodeSslIo } from '../../../src/util/sslIo';
import { opensslCipherName, parseSslSettings } from '../../../src/security/ssl/sslConfig';

let dir: string;
let certs: CertsResult;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-sslcfg-'));
  certs = makeCerts(dir, { password: 'store-pw' });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const parse = (props: Record<string, string>): ReturnType<typeof parseSslSettings> => parseSslSettings((k) => props[k], nodeSslIo, 'listener SSL');

describe('ssl settings', () => {
  it('takes the keystore as inline PEM text, even with its line breaks written as \\n on one line', () => {
    const chain = fs.readFileSync(certs.brokerPem, 'utf8').replace(/\n/g, '\\n');
    const key = fs.readFileSync(certs.brokerKey, 'utf8').replace(/\n/g, '\\n');
    const s = parse({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.certificate.chain': chain, 'ssl.keystore.key': key, 'ssl.truststore.certificates': fs.readFileSync(certs.caPem, 'utf8') });
    expect(s.hasKeystore && s.hasTruststore).toBe(true);
    expect(() => tls.createSecureContext(s.context)).not.toThrow();
  });

  it('decrypts an encrypted PEM key with ssl.key.password', () => {
    const enc = path.join(dir, 'enc.key');
    execFileSync('openssl', ['pkcs8', '-topk8', '-in', certs.brokerKey, '-out', enc, '-passout', 'pass:key-pw', '-v2', 'aes-256-cbc']);
    const s = parse({ 'ssl.keystore.certificate.chain': fs.readFileSync(certs.brokerPem, 'utf8'), 'ssl.keystore.key': fs.readFileSync(enc, 'utf8'), 'ssl.key.password': 'key-pw' });
    expect(() => tls.createSecureContext(s.context)).not.toThrow();
    const wrong = parse({ 'ssl.keystore.certificate.chain': fs.readFileSync(certs.brokerPem, 'utf8'), 'ssl.keystore.key': fs.readFileSync(enc, 'utf8'), 'ssl.key.password': 'nope' });
    expect(() => tls.createSecureContext(wrong.context)).toThrow();
  });

  it('reads PKCS12 key and trust stores (the file type also guessed from .p12)', () => {
    const s = parse({ 'ssl.keystore.location': certs.brokerP12, 'ssl.keystore.password': 'store-pw', 'ssl.truststore.location': certs.truststoreP12, 'ssl.truststore.password': 'store-pw' });
    expect(Buffer.isBuffer(s.context.pfx)).toBe(true);
    expect(String(s.context.ca)).toContain('-----BEGIN CERTIFICATE-----');
    expect(() => tls.createSecureContext(s.context)).not.toThrow();
    expect(() => parse({ 'ssl.truststore.type': 'PKCS12', 'ssl.truststore.location': certs.truststoreP12, 'ssl.truststore.password': 'nope' })).toThrow(/cannot be read as PKCS12 \(wrong ssl.truststore.password\?\)/);
  });

  it('maps ssl.enabled.protocols to a version range and refuses gaps', () => {
    expect(parse({}).context).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    expect(parse({ 'ssl.enabled.protocols': 'TLSv1.3' }).context).toMatchObject({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
    expect(() => parse({ 'ssl.enabled.protocols': 'TLSv1.1,TLSv1.3' })).toThrow('must be a contiguous range');
  });

  it('translates Java cipher suite names to OpenSSL names', () => {
    expect(opensslCipherName('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')).toBe('ECDHE-RSA-AES128-GCM-SHA256');
    expect(opensslCipherName('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384')).toBe('ECDHE-ECDSA-AES256-GCM-SHA384');
    expect(opensslCipherName('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256')).toBe('ECDHE-RSA-CHACHA20-POLY1305');
    expect(opensslCipherName('TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256')).toBe('ECDHE-RSA-AES128-SHA256');
    expect(opensslCipherName('TLS_RSA_WITH_AES_256_GCM_SHA384')).toBe('AES256-GCM-SHA384');
    expect(opensslCipherName('TLS_AES_128_GCM_SHA256')).toBe('TLS_AES_128_GCM_SHA256');
    expect(opensslCipherName('ECDHE-RSA-AES128-GCM-SHA256')).toBe('ECDHE-RSA-AES128-GCM-SHA256');
  });

  it.each([
    [{ 'ssl.keystore.certificate.chain': 'x' }, 'ssl.keystore.certificate.chain and ssl.keystore.key must be set together'],
    [{ 'ssl.keystore.certificate.chain': 'not pem', 'ssl.keystore.key': 'not pem' }, 'ssl.keystore.certificate.chain must hold PEM certificates'],
    [{ 'ssl.keystore.type': 'PKCS12' }, 'ssl.keystore.type=PKCS12 needs ssl.keystore.location'],
    [{ 'ssl.truststore.certificates': 'nope' }, 'ssl.truststore.certificates must hold PEM certificates'],
    [{ 'ssl.client.auth': 'always' }, 'ssl.client.auth must be none, requested or required, got "always"'],
    [{ 'ssl.truststore.type': 'JKS', 'ssl.truststore.location': '/x' }, 'ssl.truststore.type=JKS is not supported'],
    [{ 'ssl.keystore.location': '/etc/kafka/server.keystore.jks' }, 'ssl.keystore.type is not set and /etc/kafka/server.keystore.jks looks like a JKS store'],
  ])('refuses %j', (props, message) => {
    expect(() => parse(props as Record<string, string>)).toThrow(message);
  });
});
