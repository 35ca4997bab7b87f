// Runs the `brook` command line (bin/brook, the compiled build) as a child process for CLI integration tests.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './cluster';

export interface BrookRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time of the run. */
  ms: number;
}

/** Runs `brook <args>` with library logs silenced, feeding `input` on stdin; rejects if it outlives `timeoutMs`. */
export function runBrook(args: string[], opts: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<BrookRun> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'brook'), ...args], { cwd: REPO_ROOT, env: { ...process.env, BROOK_LOG_LEVEL: 'silent', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`brook ${args.join(' ')} did not finish; stdout=${stdout} stderr=${stderr}`)); }, opts.timeoutMs ?? 60_000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr, ms: Date.now() - t0 }); });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}
