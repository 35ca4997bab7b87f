#!/usr/bin/env node
// `npm test`: type-check, unit tests, bench-library and packaging tests, then integration tests (real ZooKeeper, real
// brokers), and one summary line.
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const os = require('node:os');

const root = join(__dirname, '..');
const tmp = mkdtempSync(join(os.tmpdir(), 'brook-test-'));
const jest = join(root, 'node_modules', '.bin', 'jest');
const tsc = join(root, 'node_modules', '.bin', 'tsc');
const extra = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

function step(name, cmd, args, env) {
  process.stdout.write(`\n=== ${name}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

function jestRun(name, args) {
  const out = join(tmp, `${name}.json`);
  const ok = step(name, jest, [...args, '--json', `--outputFile=${out}`, ...extra], {});
  if (!existsSync(out)) {
    failed += 1;
    process.stdout.write(`${name}: jest wrote no results\n`);
    return;
  }
  const r = JSON.parse(readFileSync(out, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests || 0);
  // A suite that failed to run (compile error, crash) has no failed tests of its own: count it.
  const brokenSuites = r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.every((a) => a.status !== 'failed')).length;
  failed += brokenSuites;
  if (!ok && r.numFailedTests === 0 && brokenSuites === 0 && r.numRuntimeErrorTestSuites === 0) failed += 1;
}

// kcat, kafka-python and docker-compose: installed when missing and possible (root + apt), else named.
step('test clients', 'bash', [join(root, 'scripts', 'ensure-test-clients.sh')]);
if (step('typecheck (tsc --noEmit)', tsc, ['--noEmit', '-p', 'tsconfig.json'])) passed += 1;
else failed += 1;
jestRun('unit', ['--selectProjects', 'unit', '--maxWorkers=2', '--forceExit']);
jestRun('bench', ['--selectProjects', 'bench', '--maxWorkers=2', '--forceExit']);
jestRun('packaging', ['--selectProjects', 'packaging', '--forceExit']);
if (!process.env.BROOK_SKIP_INTEGRATION) jestRun('integration', ['--selectProjects', 'integration', '--runInBand', '--forceExit']);

process.stdout.write('\n');
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed === 0 ? 0 : 1);
