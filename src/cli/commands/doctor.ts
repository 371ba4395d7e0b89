import Database from 'better-sqlite3';
import { Command } from 'commander';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import { cacheDir } from '../../../models/cache-dir.js';
import { probeProviders, type ProviderStatus } from '../../encoders/devices.js';
import { ffmpegBinary, ffprobeBinary, type Binary } from '../../media/ffmpeg-binaries.js';
import { runProcess } from '../../media/run-process.js';
import { VERSION } from '../../version.js';

const require = createRequire(import.meta.url);

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

export interface DoctorReport {
  vidmem: string;
  node: string;
  ffmpeg: { path: string; origin: string; version: string };
  ffprobe: { path: string; origin: string; version: string };
  onnxruntime: string;
  executionProviders: ProviderStatus[];
  sqlite: string;
  betterSqlite3: string;
  hnswlib: string;
  modelCache: string;
}

async function doctorReport(): Promise<DoctorReport> {
  const ffmpeg = ffmpegBinary();
  const ffprobe = ffprobeBinary();
  const db = new Database(':memory:');
  const sqlite = (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
  db.close();
  return {
    vidmem: VERSION,
    node: process.version,
    ffmpeg: { ...ffmpeg, version: await binaryVersion(ffmpeg) },
    ffprobe: { ...ffprobe, version: await binaryVersion(ffprobe) },
    onnxruntime: ort.env.versions.node ?? packageVersion('onnxruntime-node'),
    executionProviders: await probeProviders(),
    sqlite,
    betterSqlite3: packageVersion('better-sqlite3'),
    hnswlib: packageVersion('hnswlib-node'),
    modelCache: cacheDir(),
  };
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('show the ffmpeg, onnxruntime and SQLite in use and the execution providers found')
    .option('--json', 'print the report as JSON', false)
    .action(async (flags: { json: boolean }) => {
      const r = await doctorReport();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        return;
      }
      const providers = r.executionProviders
        .map((p) => `${p.name.padEnd(9)} ${p.works ? 'works' : `unavailable: ${p.reason}${p.hint ? ` (${p.hint})` : ''}`}`)
        .join('\n              ');
      const lines = [
        `vidmem        ${r.vidmem} on Node ${r.node}`,
        `ffmpeg        ${r.ffmpeg.version}`,
        `              ${r.ffmpeg.path} (${r.ffmpeg.origin === 'env' ? 'from VIDMEM_FFMPEG' : 'npm package @ffmpeg-installer/ffmpeg'})`,
        `ffprobe       ${r.ffprobe.version}`,
        `              ${r.ffprobe.path} (${r.ffprobe.origin === 'env' ? 'from VIDMEM_FFPROBE' : 'npm package @ffprobe-installer/ffprobe'})`,
        `onnxruntime   onnxruntime-node ${r.onnxruntime}`,
        `providers     ${providers}`,
        `sqlite        ${r.sqlite} (better-sqlite3 ${r.betterSqlite3})`,
        `hnswlib       hnswlib-node ${r.hnswlib}`,
        `model cache   ${r.modelCache}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
