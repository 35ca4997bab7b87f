// Runs the compiled `brook` command for a benchmark: its output, or an error naming the command and its last words.
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const BROOK = path.join(ROOT, 'bin', 'brook');

export interface BrookRun { stdout: string; stderr: string }

/** `node bin/brook ...` with library logs silenced; rejects on a non-zero exit or after `timeoutMs` (killed). */
export function runBrook(argv: string[], timeoutMs: number): Promise<BrookRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BROOK, ...argv], { cwd: ROOT, env: { ...process.env, BROOK_LOG_LEVEL: 'silent' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`brook ${argv.join(' ')} ${signal === 'SIGKILL' ? `killed after ${timeoutMs} ms` : `exited ${code}`}: ${stderr.trim() || stdout.trim().split('\n').slice(-3).join(' / ')}`));
      else resolve({ stdout, stderr });
    });
  });
}
