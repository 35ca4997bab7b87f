#!/usr/bin/env node
// `npm run bench`: builds, then runs bench/run.ts (every scenario, JSON + Markdown report with charts).
// `npm run bench -- <name>...` runs single scripts of bench/ instead (startup, codec, crc, log, controller, groups, security, console);
// other flags (--quick, --repeats N, --only raw,produce,startup,controller,groups,storage,security,console) go to bench/run.ts.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const root = join(__dirname, '..');
const tsNode = join(root, 'node_modules', 'ts-node', 'dist', 'bin.js');
const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  // Without this, --help would start the whole (long) run.
  process.stdout.write([
    'npm run bench [-- --quick] [-- --repeats N] [-- --only raw,produce,startup,controller,groups,storage,sessions,transactions,metrics]',
    '  every scenario (or those named by --only) with medians, written to bench/results/<timestamp>.json and a Markdown report',
    'npm run bench -- <script>...   single scripts of bench/ (startup, codec, crc, log, controller, groups, metrics, ...)',
    '',
  ].join('\n'));
  process.exit(0);
}
const build = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const names = argv.filter((a, i) => !a.startsWith('-') && !(i > 0 && ['--repeats', '--only'].includes(argv[i - 1])) && existsSync(join(root, 'bench', `${a}.ts`)));
const scripts = names.length > 0 ? names : ['run'];
let failed = 0;
for (const name of scripts) {
  if (names.length > 0) process.stdout.write(`\n=== bench/${name}.ts\n`);
  const rest = names.length > 0 ? [] : argv;
  // Library logs of the bench process itself stay quiet (brokers get their own level from the harness).
  const env = { ...process.env, BROOK_LOG_LEVEL: process.env.BROOK_LOG_LEVEL ?? 'warn' };
  const r = spawnSync(process.execPath, [tsNode, '--transpile-only', join(root, 'bench', `${name}.ts`), ...rest], { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
