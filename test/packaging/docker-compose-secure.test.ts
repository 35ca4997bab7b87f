// docker/docker-compose.secure.yml (the secured variant): Compose accepts it, and each broker's effective
// configuration (server-secure.properties plus its overrides) is valid, with SASL_SSL between brokers.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { parseProperties } from '../../src/config/properties';
import { buildConfig, KafkaConfig, parseOverrides } from '../../src/config/KafkaConfig';
import { buildListenerSecurity, interBrokerClientSecurity } from '../../src/security/listenerSecurity';
import { makeCerts } from '../../src/util/certs';
import { nodeSslIo } from '../../src/util/sslIo';
import os from 'node:os';

const root = path.join(__dirname, '..', '..');
const file = path.join(root, 'docker', 'docker-compose.secure.yml');

interface Service { command?: string[]; ports?: string[]; volumes?: string[] }

describe('docker compose (secured)', () => {
  it('is accepted by `docker compose config`', () => {
    const compose = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0 ? ['docker', 'compose'] : ['docker-compose'];
    const r = spawnSync(compose[0]!, [...compose.slice(1), '-f', file, 'config'], { encoding: 'utf8' });
    if (r.error) throw new Error(`docker compose is not installed: ${r.error.message}`);
    expect(r.stderr).not.toMatch(/invalid|error/i);
    expect(r.status).toBe(0);
    expect(Object.keys((yaml.load(r.stdout) as { services: object }).services).sort()).toEqual(['broker1', 'broker2', 'broker3', 'zookeeper']);
  });

  it('gives each broker SSL and SASL_SSL client listeners and the SASL_SSL inter-broker listener INTERNAL', () => {
    const doc = yaml.load(fs.readFileSync(file, 'utf8')) as { services: Record<string, Service> };
    const base = parseProperties(fs.readFileSync(path.join(root, 'docker', 'server-secure.properties'), 'utf8'));
    const ports = new Set<string>();
    for (const [name, s] of Object.entries(doc.services).filter(([n]) => n.startsWith('broker'))) {
      const props = new Map(base);
      for (const [k, v] of parseOverrides((s.command ?? []).filter((_x, i, all) => all[i - 1] === '--override')).props) props.set(k, v);
      const cfg = new KafkaConfig(buildConfig(props));
      expect(cfg.interBrokerListener).toMatchObject({ name: 'INTERNAL', securityProtocol: 'SASL_SSL', host: name });
      expect(cfg.advertisedListeners.map((l) => `${l.name}:${l.securityProtocol}`)).toEqual(['INTERNAL:SASL_SSL', 'SSL:SSL', 'SASL_SSL:SASL_SSL']);
      for (const l of cfg.advertisedListeners.filter((x) => x.name !== 'INTERNAL')) {
        expect(l.host).toBe('127.0.0.1');
        expect(s.ports).toContain(`${l.port}:${l.port}`);
        ports.add(String(l.port));
      }
      expect(s.volumes).toContain('./certs:/etc/brook/certs:ro');
    }
    expect(ports.size).toBe(6);
  });

  it('the TLS and SASL settings load with the certificates `brook certs` makes for it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-compose-certs-'));
    try {
      makeCerts(dir, { hosts: ['broker1', 'broker2', 'broker3', 'localhost', '127.0.0.1'] });
      const text = fs.readFileSync(path.join(root, 'docker', 'server-secure.properties'), 'utf8').replaceAll('/etc/brook/certs', dir);
      const props = parseProperties(text);
      props.set('broker.id', '1');
      props.set('listeners', 'INTERNAL://0.0.0.0:19092,SSL://0.0.0.0:9192,SASL_SSL://0.0.0.0:9292');
      props.set('advertised.listeners', 'INTERNAL://broker1:19092,SSL://127.0.0.1:9192,SASL_SSL://127.0.0.1:9292');
      const cfg = new KafkaConfig(buildConfig(props));
      const security = buildListenerSecurity(cfg, nodeSslIo, null);
      expect(security.get('SSL')?.tls?.clientAuth).toBe('requested');
      expect(security.get('SASL_SSL')?.sasl?.enabledMechanisms).toEqual(['PLAIN']);
      expect(interBrokerClientSecurity(cfg, nodeSslIo).sasl).toEqual({ mechanism: 'PLAIN', username: 'broker', password: 'broker-secret' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
