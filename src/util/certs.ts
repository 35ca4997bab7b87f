// A throwaway CA with broker and client certificates (PEM files, PKCS12 stores) made with the openssl command, for
// trying TLS locally and for tests: `brook certs` and the secured local clusters of src/chaos use it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface CertsOptions {
  /** Names and addresses the broker certificate is valid for (subjectAltName). */
  hosts?: string[];
  /** Client certificate common names (one certificate each); default ['client']. */
  clients?: string[];
  /** Password of the PKCS12 stores (and of nothing else: PEM keys are unencrypted). */
  password?: string;
  days?: number;
  /** Also make `expired.pem`/`expired.key`: a client certificate of this CA that expired in 2020. */
  expiredClient?: boolean;
}

export interface CertsResult {
  dir: string;
  caPem: string;
  brokerPem: string;
  brokerKey: string;
  brokerP12: string;
  truststoreP12: string;
  password: string;
  clients: Record<string, { pem: string; key: string; p12: string }>;
  expired?: { pem: string; key: string };
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error('making certificates needs the openssl command (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString('utf8').trim() ?? String(e)}`);
  }
}

export function makeCerts(dir: string, opts: CertsOptions = {}): CertsResult {
  fs.mkdirSync(dir, { recursive: true });
  const days = String(opts.days ?? 365);
  const password = opts.password ?? 'brook-secret';
  const hosts = opts.hosts ?? ['localhost', '127.0.0.1'];
  const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  const p = (f: string): string => path.join(dir, f);
  fs.writeFileSync(p('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
  fs.writeFileSync(p('broker.ext'), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${san}\n`);
  fs.writeFileSync(p('client.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', days, '-subj', '/O=Brook/CN=Brook throwaway CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  const issue = (name: string, subj: string, ext: string): void => {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj], dir);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', days, '-extfile', ext], dir);
    openssl(['pkcs12', '-export', '-in', `${name}.pem`, '-inkey', `${name}.key`, '-certfile', 'ca.pem', '-name', name, '-out', `${name}.p12`, '-passout', `pass:${password}`], dir);
    fs.rmSync(p(`${name}.csr`));
  };
  issue('broker', '/O=Brook/OU=Brokers/CN=broker', 'broker.ext');
  const clients: CertsResult['clients'] = {};
  for (const c of opts.clients ?? ['client']) {
    issue(c, `/O=Brook/OU=Clients/CN=${c}`, 'client.ext');
    clients[c] = { pem: p(`${c}.pem`), key: p(`${c}.key`), p12: p(`${c}.p12`) };
  }
  openssl(['pkcs12', '-export', '-nokeys', '-in', 'ca.pem', '-out', 'truststore.p12', '-passout', `pass:${password}`], dir);
  const result: CertsResult = {
    dir, caPem: p('ca.pem'), brokerPem: p('broker.pem'), brokerKey: p('broker.key'), brokerP12: p('broker.p12'),
    truststoreP12: p('truststore.p12'), password, clients,
  };
  // A PEM keystore file (ssl.keystore.location with ssl.keystore.type=PEM) holds the key and the chain together.
  fs.writeFileSync(p('broker-keystore.pem'), fs.readFileSync(p('broker.key'), 'utf8') + fs.readFileSync(p('broker.pem'), 'utf8') + fs.readFileSync(p('ca.pem'), 'utf8'));
  for (const c of Object.keys(clients)) fs.writeFileSync(p(`${c}-keystore.pem`), fs.readFileSync(p(`${c}.key`), 'utf8') + fs.readFileSync(p(`${c}.pem`), 'utf8'));
  if (opts.expiredClient) {
    // `openssl x509` cannot back-date; `openssl ca` can, with a minimal CA database.
    fs.writeFileSync(p('index.txt'), '');
    fs.writeFileSync(p('ca.cnf'), `[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=ca.srl\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n`);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'expired.key', '-out', 'expired.csr', '-subj', '/O=Brook/OU=Clients/CN=expired'], dir);
    openssl(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'expired.csr', '-out', 'expired.pem', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-notext', '-extfile', 'client.ext'], dir);
    fs.rmSync(p('expired.csr'));
    for (const f of fs.readdirSync(dir)) if (/^[0-9A-F]+\.pem$|^index\.txt|^ca\.srl\.old$|^ca\.cnf$/.test(f)) fs.rmSync(p(f));
    result.expired = { pem: p('expired.pem'), key: p('expired.key') };
  }
  return result;
}

