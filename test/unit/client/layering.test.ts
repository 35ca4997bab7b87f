// The client library's import rules: src/client depends only on the protocol and util layers, and the perf tools
// use the client library, never the CLI; so the CLI, perf tools, bench and tests share one client.
import * as fs from 'node:fs';
import * as path from 'node:path';

const SRC = path.join(__dirname, '../../../src');

/** Every src/ directory a file under `dir` imports from (first path segment below src/). */
function importedLayers(dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const name of fs.readdirSync(path.join(SRC, dir), { recursive: true }) as string[]) {
    if (!name.endsWith('.ts')) continue;
    const file = path.join(SRC, dir, name);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from '(\.[^']*)'/g)) {
      const target = path.relative(SRC, path.resolve(path.dirname(file), m[1]!));
      const layer = target.split(path.sep)[0]!;
      out.set(layer, [...(out.get(layer) ?? []), `${dir}/${name}`]);
    }
  }
  return out;
}

test('src/client imports only src/protocol and src/util', () => {
  const layers = [...importedLayers('client').keys()].filter((l) => l !== 'client');
  expect(layers.filter((l) => !['protocol', 'util'].includes(l))).toEqual([]);
});

test('src/perf uses the client library, never the CLI or the broker', () => {
  const layers = [...importedLayers('perf').keys()];
  expect(layers.filter((l) => !['perf', 'client', 'protocol', 'util'].includes(l))).toEqual([]);
});
