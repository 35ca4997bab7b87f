// docker/docker-compose.yml is checked here because the machines that run the tests have no Docker engine:
// Compose itself must accept the file (`config` needs no engine), and each broker's effective configuration
// must be valid for Brook.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { parseProperties } from '../../src/config/properties';
import { buildConfig, KafkaConfig, parseOverrides } from '../../src/config/KafkaConfig';

const root = path.join(__dirname, '..', '..');

interface Service { image?: string; build?: { context: string; dockerfile: string }; command?: string[]; ports?: string[]; depends_on?: string[] }

/** `docker compose` (v2 plugin) where present, else Debian's `docker-compose`; undefined when neither runs. */
function composeCommand(): [string, ...string[]] | undefined {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  return undefined;
}

describe('docker compose', () => {
  it('is accepted by `docker compose config`', () => {
    const cmd = composeCommand();
    if (!cmd) throw new Error('neither `docker compose` nor `docker-compose` is installed (apt-get install docker-compose)');
    const file = path.join(root, 'docker', 'docker-compose.yml');
    const r = spawnSync(cmd[0], [...cmd.slice(1), '-f', file, 'config'], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/invalid|error/i);
    expect(r.status).toBe(0);
    // The resolved file still has the three brokers and ZooKeeper, with their published ports.
    const resolved = yaml.load(r.stdout) as { services: Record<string, { ports?: unknown[] }> };
    expect(Object.keys(resolved.services).sort()).toEqual(['broker1', 'broker2', 'broker3', 'zookeeper']);
    expect(JSON.stringify(resolved.services.broker2?.ports)).toContain('9093');
  });

  const doc = yaml.load(fs.readFileSync(path.join(root, 'docker', 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
  const brokers = Object.entries(doc.services).filter(([name]) => name.startsWith('broker'));

  it('runs the official ZooKeeper 3.8 image and three brokers built from docker/Dockerfile', () => {
    expect(doc.services.zookeeper?.image).toBe('zookeeper:3.8');
    expect(brokers.map(([n]) => n)).toEqual(['broker1', 'broker2', 'broker3']);
    for (const [, s] of brokers) {
      expect(s.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
      expect(s.depends_on).toEqual(['zookeeper']);
    }
    expect(fs.existsSync(path.join(root, 'docker', 'Dockerfile'))).toBe(true);
  });

  it('gives each broker a valid config with a unique id and a reachable, published advertised listener', () => {
    const base = parseProperties(fs.readFileSync(path.join(root, 'docker', 'server.properties'), 'utf8'));
    const ids = new Set<number>();
    const external = new Set<string>();
    for (const [name, s] of brokers) {
      const overrides = (s.command ?? []).filter((_x, i, all) => all[i - 1] === '--override');
      const props = new Map(base);
      for (const [k, v] of parseOverrides(overrides).props) props.set(k, v);
      const cfg = new KafkaConfig(buildConfig(props));
      ids.add(cfg.brokerId);
      const ext = cfg.advertisedListeners.find((l) => l.name === 'EXTERNAL')!;
      expect(ext.host).toBe('127.0.0.1');
      expect(s.ports).toEqual([`${ext.port}:${ext.port}`]);
      external.add(`${ext.host}:${ext.port}`);
      expect(cfg.interBrokerListener).toMatchObject({ name: 'INTERNAL', host: name, port: 19092 });
    }
    expect(ids).toEqual(new Set([1, 2, 3]));
    expect(external.size).toBe(3);
  });
});
