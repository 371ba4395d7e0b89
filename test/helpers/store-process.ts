import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { ROOT, type CliResult } from './cli.js';

/** The built store (the global setup compiles it), as a process of its own imports it. */
const STORE_MODULE = pathToFileURL(join(ROOT, 'dist', 'storage', 'memory-store.js')).href;

/**
 * Runs `source`, an ES module body with `MemoryStore` in scope, in a Node process of its own: stores
 * are used by several processes at once, and a process can be killed at any moment.
 */
export function spawnStoreScript(source: string, args: readonly string[]): ChildProcessByStdio<null, Readable, Readable> {
  const work = mkdtempSync(join(tmpdir(), 'vidmem-child-'));
  const script = join(work, 'script.mjs');
  writeFileSync(script, `import { MemoryStore } from ${JSON.stringify(STORE_MODULE)};\n${source}`);
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.on('close', () => rmSync(work, { recursive: true, force: true }));
  return child;
}

/** `spawnStoreScript`, run to its end. */
export function runStoreScript(source: string, args: readonly string[]): Promise<CliResult> {
  const child = spawnStoreScript(source, args);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
