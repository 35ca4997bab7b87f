// The web console's front end ships and runs from the build: the npm package carries src/console/static and the
// script that copies it, `npm run build` puts every file next to the compiled server in dist/console/static, and
// the compiled server looks there.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const SRC_STATIC = path.join(root, 'src', 'console', 'static');
const ASSETS = fs.readdirSync(SRC_STATIC).sort();

jest.setTimeout(180_000);

test('the front end is plain files: HTML, CSS and browser JavaScript', () => {
  expect(ASSETS).toEqual(['app.js', 'charts.js', 'index.html', 'style.css']);
});

test('npm pack includes the static files and the build step that copies them', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  for (const a of ASSETS) expect(files).toContain(`src/console/static/${a}`);
  expect(files).toContain('scripts/copy-console-assets.js');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(pkg.scripts.build).toContain('node scripts/copy-console-assets.js');
  expect(pkg.scripts.postinstall).toContain('npm run build');
});

test('npm run build copies every file to dist/console/static, where the compiled server serves them from', () => {
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const dist = path.join(root, 'dist', 'console', 'static');
  expect(fs.readdirSync(dist).sort()).toEqual(ASSETS);
  for (const a of ASSETS) expect(fs.readFileSync(path.join(dist, a), 'utf8')).toBe(fs.readFileSync(path.join(SRC_STATIC, a), 'utf8'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const compiled = require(path.join(root, 'dist', 'console', 'server.js')) as { STATIC_DIR: string };
  expect(compiled.STATIC_DIR).toBe(dist);
});
