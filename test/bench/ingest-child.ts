/** `vidmem ingest --json` in a child process, as a user runs it, with that process's peak RSS (VmHWM). */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

function peakRssKb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export function ingestInChild<S>(label: string, file: string, store: string, args: readonly string[]): Promise<{ summary: S; peakRssMb: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'vidmem.js'), 'ingest', file, '--store', store, '--json', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, peakRssKb(child.pid!))), 50);
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.on('close', (code) => {
      clearInterval(poll);
      if (code !== 0) return reject(new Error(`${label}: vidmem ingest exited ${code}`));
      resolvePromise({ summary: JSON.parse(stdout) as S, peakRssMb: peak / 1024 });
    });
  });
}
