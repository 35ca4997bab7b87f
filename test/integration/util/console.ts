// Test helpers for the web console: Debian's Chromium with the flags the tests use, and `brook console` started
// as a process on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT, waitFor } from '../../harness';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Starts `brook console --port 0` (the compiled build) and returns its process and the URL it prints. */
export async function startConsoleProcess(bootstrap: string, extra: string[] = []): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'brook'), 'console', '--bootstrap-server', bootstrap, '--port', '0', ...extra], { env: { ...process.env, BROOK_LOG_LEVEL: 'warn' } });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const url = await waitFor(() => {
    if (proc.exitCode !== null) throw new Error(`brook console exited ${proc.exitCode}: ${out}`);
    return /: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
  }, { timeoutMs: 30_000, what: `brook console to print its URL (output so far: ${out})` });
  return { proc, url };
}
