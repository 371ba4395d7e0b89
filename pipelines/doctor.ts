/** What vidmem runs on here: the binaries, runtimes and execution providers in use, for `vidmem doctor`. */
import { createRequire } from 'node:module';
import type { Config } from '../src/core/config.js';
import { VERSION } from '../src/core/version.js';
import { mediaTools, type Binary } from '../src/sources/ffmpeg-binaries.js';
import { runProcess } from '../src/sources/run-process.js';
import { providerProbeGraph } from '../models/probe-graph.js';
import type { ProviderStatus } from '../src/encoders/devices.js';

const require = createRequire(import.meta.url);

export type { ProviderStatus } from '../src/encoders/devices.js';

export interface DoctorReport {
  vidmem: string;
  node: string;
  ffmpeg: Binary & { version: string };
  onnxruntime: string;
  executionProviders: ProviderStatus[];
  sqlite: string;
  betterSqlite3: string;
  hnswlib: string;
  modelCache: string;
}

function packageVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

async function binaryVersion(binary: Binary): Promise<string> {
  try {
    const result = await runProcess(binary.path, ['-hide_banner', '-version']);
    return result.stdout.split('\n')[0]?.trim() || `exit status ${result.code}`;
  } catch (err) {
    return `not runnable: ${(err as Error).message}`;
  }
}

export async function doctorReport(config: Config): Promise<DoctorReport> {
  const { default: Database } = await import('better-sqlite3');
  const ort = await import('onnxruntime-node');
  const { probeProviders } = await import('../src/encoders/devices.js');
  const { ffmpeg } = mediaTools(config.binaries);
  const db = new Database(':memory:');
  const sqlite = (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
  db.close();
  return {
    vidmem: VERSION,
    node: process.version,
    ffmpeg: { ...ffmpeg, version: await binaryVersion(ffmpeg) },
    onnxruntime: ort.env.versions.node ?? packageVersion('onnxruntime-node'),
    executionProviders: await probeProviders(providerProbeGraph(), { debug: config.debug }),
    sqlite,
    betterSqlite3: packageVersion('better-sqlite3'),
    hnswlib: packageVersion('hnswlib-node'),
    modelCache: config.cacheDir,
  };
}
