// The layers of src/ and who may import whom, checked against the import graph of every src/**/*.ts (imports,
// export-from, require and import(), type-only ones included). docs/ARCHITECTURE.md shows the same table.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const SRC = path.join(__dirname, '../../src');

type Layer =
  | 'util' | 'protocol' | 'config' | 'security' | 'log' | 'network' | 'zk' | 'zkserver' | 'client'
  | 'controller' | 'coordinator' | 'server' | 'server/handlers' | 'perf' | 'chaos' | 'console' | 'cli';

interface Rule {
  /** Layers this one may import, besides itself. */
  mayImport: Layer[];
  /** Files of this layer (paths under src/) that may also import `layers`. */
  alsoFor?: { files: string[]; layers: Layer[]; why: string };
}

const BELOW_SERVICES: Layer[] = ['util', 'protocol', 'config', 'security', 'client', 'log', 'network', 'zk'];

/** Bottom to top. A layer may import only the layers its row names. */
const RULES: Record<Layer, Rule> = {
  util: { mayImport: [] },
  protocol: { mayImport: ['util'] },
  config: { mayImport: ['util', 'protocol'] },
  // Security mechanics with no I/O of their own: principals, TLS contexts, SASL exchanges, SCRAM, ACL matching.
  security: { mayImport: ['util', 'protocol', 'config'] },
  // Storage, sockets and ZooKeeper know nothing of the cluster and nothing of each other.
  log: { mayImport: ['util', 'protocol', 'config'] },
  network: { mayImport: ['util', 'protocol', 'config', 'security'] },
  zk: { mayImport: ['util', 'protocol', 'config', 'security'] },
  zkserver: { mayImport: ['util', 'protocol', 'config'] },
  // The one client library: the wire protocol only (the CLI, perf, chaos and the broker's own inter-broker links).
  client: { mayImport: ['util', 'protocol', 'security'] },
  // Domain services above storage, sockets and ZooKeeper; neither imports the other.
  controller: { mayImport: BELOW_SERVICES },
  coordinator: { mayImport: BELOW_SERVICES },
  server: { mayImport: [...BELOW_SERVICES, 'controller', 'coordinator', 'server/handlers'] },
  // Thin handlers: decode, validate, call a service of src/server or the coordinator, build the response. No
  // ZooKeeper, no controller (requests reach it through ControllerGateway), no Log (through ReplicaManager).
  'server/handlers': { mayImport: ['util', 'protocol', 'config', 'security', 'network', 'coordinator', 'server'] },
  // Tools. perf, chaos and console are reached only from the CLI; nothing imports the CLI.
  perf: { mayImport: ['util', 'protocol', 'client'] },
  chaos: { mayImport: ['util', 'protocol', 'config', 'client', 'log', 'zk', 'zkserver'] },
  // The web console: the wire protocol (through the client) and the brokers' metrics endpoints, nothing of the broker.
  console: { mayImport: ['util', 'protocol', 'client'] },
  cli: {
    mayImport: ['util', 'protocol', 'security', 'client', 'perf', 'chaos', 'console'],
    alsoFor: {
      files: ['cli/server-start.ts', 'cli/cluster-up.ts', 'cli/zookeeper-start.ts', 'cli/zookeeper-configs.ts'],
      layers: ['config', 'server', 'zk', 'zkserver'],
      why: 'only the commands that start processes (and `configs --zookeeper`, which writes SCRAM users before brokers exist) reach the broker and ZooKeeper; the rest speak the wire protocol',
    },
  },
};

/**
 * Imports that break a rule today, each with why it stays for now: `from` imports `to` (paths under src/, no
 * extension). A listed import that no longer exists fails the test, so the list only shrinks.
 */
const EXCEPTIONS: Array<{ from: string; to: string; why: string }> = [];

/** Files outside src/ that src/ may read: the version printed by `brook --version`. */
const OUTSIDE_SRC = ['package.json'];

/** The layer of a path under src/ (a file, with or without .ts, or a directory imported through its index.ts). */
function layerOf(rel: string): string {
  const parts = rel.split('/');
  if (parts.length === 1 && fs.statSync(path.join(SRC, rel), { throwIfNoEntry: false })?.isDirectory() !== true) return '(src root)';
  return parts[0] === 'server' && parts[1] === 'handlers' ? 'server/handlers' : parts[0]!;
}

interface Edge { from: string; to: string; fromLayer: string; toLayer: string }

/** Every relative import in src/, resolved to a path under src/ (or `../x` outside it), without its extension. */
function importGraph(): Edge[] {
  const edges: Edge[] = [];
  for (const name of fs.readdirSync(SRC, { recursive: true }) as string[]) {
    if (!name.endsWith('.ts')) continue;
    const from = name.split(path.sep).join('/');
    const text = fs.readFileSync(path.join(SRC, name), 'utf8');
    for (const { fileName: spec } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!spec.startsWith('.')) continue; // packages
      const to = path.relative(SRC, path.resolve(SRC, path.dirname(name), spec)).split(path.sep).join('/');
      edges.push({ from: from.replace(/\.ts$/, ''), to, fromLayer: layerOf(from), toLayer: to.startsWith('../') ? '(outside src)' : layerOf(to) });
    }
  }
  return edges;
}

const edges = importGraph();
const isException = (e: Edge): boolean => EXCEPTIONS.some((x) => x.from === e.from && x.to === e.to);

function allowed(e: Edge): boolean {
  if (e.fromLayer === e.toLayer) return true;
  const rule = RULES[e.fromLayer as Layer];
  if (!rule) return false;
  if (rule.mayImport.includes(e.toLayer as Layer)) return true;
  const also = rule.alsoFor;
  return !!also && also.files.includes(`${e.from}.ts`) && also.layers.includes(e.toLayer as Layer);
}

test('the graph was read: src/ has files in every bottom layer and imports across layers', () => {
  const layers = new Set(edges.map((e) => e.fromLayer));
  for (const l of ['protocol', 'log', 'server', 'cli'] as const) expect(layers).toContain(l);
  expect(edges.filter((e) => e.fromLayer !== e.toLayer).length).toBeGreaterThan(100);
});

test('every directory of src/ is a layer in the table', () => {
  const dirs = fs.readdirSync(SRC, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  const looseFiles = fs.readdirSync(SRC).filter((n) => n.endsWith('.ts'));
  expect(dirs.filter((d) => !(d in RULES))).toEqual([]);
  expect(looseFiles).toEqual([]);
});

test('each layer imports only the layers its row allows', () => {
  const broken = edges.filter((e) => e.toLayer !== '(outside src)' && !allowed(e) && !isException(e));
  expect(broken.map((e) => `${e.from} (${e.fromLayer}) imports ${e.to} (${e.toLayer})`)).toEqual([]);
});

test('src/ reads nothing outside src/ but package.json', () => {
  const outside = edges.filter((e) => e.toLayer === '(outside src)' && !OUTSIDE_SRC.includes(path.basename(e.to)));
  expect(outside.map((e) => `${e.from} imports ${e.to}`)).toEqual([]);
});

test('every listed exception still occurs (remove it once the import is gone)', () => {
  const stale = EXCEPTIONS.filter((x) => !edges.some((e) => e.from === x.from && e.to === x.to));
  expect(stale).toEqual([]);
});

test('the table itself: no cycles (handlers count as part of server), tools imported only from the CLI', () => {
  const merge = (l: Layer): string => (l === 'server/handlers' ? 'server' : l);
  const next = new Map<string, Set<string>>();
  for (const [l, r] of Object.entries(RULES) as Array<[Layer, Rule]>) {
    const out = next.get(merge(l)) ?? new Set<string>();
    for (const t of [...r.mayImport, ...(r.alsoFor?.layers ?? [])]) if (merge(t) !== merge(l)) out.add(merge(t));
    next.set(merge(l), out);
  }
  const cycles: string[] = [];
  const visit = (l: string, trail: string[]): void => {
    if (trail.includes(l)) {
      cycles.push([...trail.slice(trail.indexOf(l)), l].join(' -> '));
      return;
    }
    for (const t of next.get(l) ?? []) visit(t, [...trail, l]);
  };
  for (const l of next.keys()) visit(l, []);
  expect(cycles).toEqual([]);

  const importers = (target: Layer): string[] =>
    (Object.entries(RULES) as Array<[Layer, Rule]>).filter(([, r]) => r.mayImport.includes(target) || r.alsoFor?.layers.includes(target)).map(([l]) => l);
  expect(importers('cli')).toEqual([]);
  expect(importers('perf')).toEqual(['cli']);
  expect(importers('chaos')).toEqual(['cli']);
  expect(importers('console')).toEqual(['cli']);
});
