/** `vidmem serve` as a test runs it: on a free port of 127.0.0.1, stopped by SIGTERM. */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './cli.js';

export interface Served {
  readonly base: string;
  readonly child: ChildProcess;
  stderr: string;
}

/** Starts `vidmem serve` on a free port and waits for the line that says where. */
export function serve(args: readonly string[]): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const served = { base: '', child, stderr: '' };
    child.stderr!.on('data', (chunk: Buffer) => {
      served.stderr += chunk.toString();
      const address = /serving .* at (http:\/\/[^ ]+?)\/ /.exec(served.stderr)?.[1];
      if (address && !served.base) resolve(Object.assign(served, { base: address }));
    });
    child.once('exit', (code) => reject(new Error(`vidmem serve exited ${code}: ${served.stderr}`)));
  });
}

export function stop(served: Served | undefined): Promise<number | null> {
  if (!served || served.child.exitCode !== null) return Promise.resolve(served?.child.exitCode ?? null);
  return new Promise((resolve) => {
    served.child.once('exit', (code) => resolve(code));
    served.child.kill('SIGTERM');
  });
}
