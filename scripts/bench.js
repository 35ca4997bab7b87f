#!/usr/bin/env node
// `npm run bench [name...]`: runs the benchmarks in bench/ one after another and prints their tables.
'use strict';
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const root = join(__dirname, '..');
const all = ['startup', 'codec', 'crc', 'log', 'produce', 'controller', 'groups'];
const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = chosen.length > 0 ? chosen : all;
let failed = 0;
for (const name of names) {
  process.stdout.write(`\n=== bench/${name}.ts\n`);
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'ts-node', 'dist', 'bin.js'), '--transpile-only', join(root, 'bench', `${name}.ts`)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
