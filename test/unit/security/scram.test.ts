// SCRAM credential math against RFC 7677's SCRAM-SHA-256 example and an independent PBKDF2 (Python's hashlib) for
// SHA-512; the stored credential text and Kafka's name sanitizing.
import { execFileSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import {
  clientProof, credentialFromSaltedPassword, generateCredential, newSalt, saltedPassword, secureRandomString, serverKey,
  serverSignature, verifyClientProof,
} from '../../../src/security/scram/formatter';
import { credentialFromString, credentialToString, credentialsFromUserConfig } from '../../../src/security/scram/credentials';
import { desanitize, sanitize } from '../../../src/security/scram/sanitizer';

// RFC 7677 §3: user "user", password "pencil".
const RFC = {
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
  clientFirstBare: 'n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinalWithoutProof: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  proof: 'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverSignature: '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};
const authMessage = `${RFC.clientFirstBare},${RFC.serverFirst},${RFC.clientFinalWithoutProof}`;

describe('SCRAM-SHA-256 against RFC 7677', () => {
  const salted = saltedPassword('SCRAM-SHA-256', 'pencil', RFC.salt, 4096);

  test('client proof and server signature', () => {
    expect(clientProof('SCRAM-SHA-256', salted, authMessage).toString('base64')).toBe(RFC.proof);
    expect(serverSignature('SCRAM-SHA-256', serverKey('SCRAM-SHA-256', salted), authMessage).toString('base64')).toBe(RFC.serverSignature);
  });

  test('the stored credential verifies the RFC proof and rejects a changed one', () => {
    const cred = generateCredential('SCRAM-SHA-256', 'pencil', RFC.salt, 4096);
    expect(verifyClientProof('SCRAM-SHA-256', cred, authMessage, Buffer.from(RFC.proof, 'base64'))).toBe(true);
    const bad = Buffer.from(RFC.proof, 'base64');
    bad[0] = bad[0]! ^ 1;
    expect(verifyClientProof('SCRAM-SHA-256', cred, authMessage, bad)).toBe(false);
    expect(verifyClientProof('SCRAM-SHA-256', cred, authMessage, Buffer.alloc(3))).toBe(false);
  });

  test('the credential from a salted password (KIP-554) equals the one from the password', () => {
    expect(credentialFromSaltedPassword('SCRAM-SHA-256', RFC.salt, salted, 4096)).toEqual(generateCredential('SCRAM-SHA-256', 'pencil', RFC.salt, 4096));
  });
});

test('SCRAM-SHA-512 keys equal those from Python hashlib.pbkdf2_hmac (an independent implementation)', () => {
  const salt = Buffer.from('2iz3ec8kbq5eu2y5n8hzupcww', 'utf8');
  const py = execFileSync('/usr/bin/python3', ['-c', `
import hashlib, hmac, base64
s = hashlib.pbkdf2_hmac('sha512', b'alice-secret', b'${salt.toString('utf8')}', 8192)
ck = hmac.new(s, b'Client Key', hashlib.sha512).digest()
print(base64.b64encode(hashlib.sha512(ck).digest()).decode())
print(base64.b64encode(hmac.new(s, b'Server Key', hashlib.sha512).digest()).decode())
`]).toString().trim().split('\n');
  const cred = generateCredential('SCRAM-SHA-512', 'alice-secret', salt, 8192);
  expect(cred.storedKey.toString('base64')).toBe(py[0]);
  expect(cred.serverKey.toString('base64')).toBe(py[1]);
  // And the definitions directly: stored_key = H(HMAC(salted, "Client Key")).
  const s = saltedPassword('SCRAM-SHA-512', 'alice-secret', salt, 8192);
  expect(cred.storedKey).toEqual(createHash('sha512').update(createHmac('sha512', s).update('Client Key').digest()).digest());
});

describe('stored credential text (ScramCredentialUtils)', () => {
  test('round trip in Kafka key order', () => {
    const cred = { salt: Buffer.from('abc'), storedKey: Buffer.from([1, 2, 3]), serverKey: Buffer.from([4, 5]), iterations: 4096 };
    const text = credentialToString(cred);
    expect(text).toBe('salt=YWJj,stored_key=AQID,server_key=BAU=,iterations=4096');
    expect(credentialFromString(text)).toEqual(cred);
  });

  test('exactly the four keys are required', () => {
    expect(() => credentialFromString('salt=YWJj,stored_key=AQID,iterations=4096')).toThrow(/exactly the keys/);
    expect(() => credentialFromString('salt=YWJj,stored_key=AQID,server_key=BAU=,iterations=4096,extra=1')).toThrow(/exactly the keys/);
    expect(() => credentialFromString('salt=YWJj,stored_key=AQID,server_key=BAU=,iterations=x')).toThrow(/iterations/);
  });

  test('a user config yields its SCRAM credentials and ignores quota keys and broken values', () => {
    const good = credentialToString(generateCredential('SCRAM-SHA-512', 'p', Buffer.from('s'), 4096));
    const m = credentialsFromUserConfig({ 'SCRAM-SHA-512': good, 'SCRAM-SHA-256': 'garbage', producer_byte_rate: '1024' });
    expect([...m.keys()]).toEqual(['SCRAM-SHA-512']);
  });
});

test('salts are the UTF-8 text of a 130-bit number in base 36, as Kafka makes them', () => {
  const max = (1n << 130n) - 1n;
  expect(secureRandomString(() => Buffer.alloc(17, 0xff))).toBe(max.toString(36));
  for (let i = 0; i < 20; i++) {
    const s = newSalt().toString('utf8');
    expect(s).toMatch(/^[0-9a-z]+$/);
    expect(BigInt(`0x${BigInt([...s].reduce((acc, ch) => acc * 36n + BigInt(parseInt(ch, 36)), 0n)).toString(16)}`) <= max).toBe(true);
  }
});

test('sanitize as Kafka Sanitizer: URL encoding, * as %2A, space as %20; desanitize reverses', () => {
  expect(sanitize('alice')).toBe('alice');
  expect(sanitize('user@EXAMPLE.COM')).toBe('user%40EXAMPLE.COM');
  expect(sanitize('a b*c/d')).toBe('a%20b%2Ac%2Fd');
  expect(sanitize('ü')).toBe('%C3%BC');
  for (const n of ['a b*c/d', 'ü@x', 'CN=host,O=org']) expect(desanitize(sanitize(n))).toBe(n);
});
