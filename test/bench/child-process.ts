/**
 * The real CLI in a child process, with that process's peak resident memory (VmHWM, polled from
 * /proc), for the benchmarks that measure an ingest as a user runs it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The checkout: the benchmarks run from dist/test/bench. */
export const ROOT = resolve(import.meta.dirname, '..', '..', '..');

export interface CliRun {
  readonly stdout: string;
  /** Peak resident set of the child, MB. */
  readonly peakRssMb: number;
}

/** A field of /proc/PID/status in kB (VmRSS, VmHWM), 0 once the process is gone. */
function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** A process's resident memory now and at its peak, MB. */
export function memoryMb(pid: number): { rssMb: number; peakMb: number } {
  return { rssMb: statusKb(pid, 'VmRSS') / 1024, peakMb: statusKb(pid, 'VmHWM') / 1024 };
}

/** `vidmem ...args`, stderr passed through; rejects when it exits non-zero. */
export function runCli(label: string, args: readonly string[]): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'vidmem.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, statusKb(child.pid!, 'VmHWM'))), 50);
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.on('error', (error) => {
      clearInterval(poll);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(poll);
      if (code !== 0) return reject(new Error(`${label}: vidmem ${args[0]} exited ${code}`));
      resolvePromise({ stdout, peakRssMb: peak / 1024 });
    });
  });
}
