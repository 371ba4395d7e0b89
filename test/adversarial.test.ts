/**
 * vidmem attacked as a careless or hostile user would: numbers out of every range, odd input
 * where a command expects another, readers that stop early. Each gets one clear line and a
 * non-zero exit, or works, and nothing already stored is touched.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openVidmem } from '../pipelines/vidmem.js';
import { renderSegments } from '../src/sources/synthetic-video.js';
import { BIN, tempDir, vidmem } from './helpers/cli.js';

let dir: string;
let video: string;
let store: string;

beforeAll(async () => {
  dir = tempDir('vidmem-adversarial-');
  video = join(dir, 'clip.mp4');
  store = join(dir, 'store');
  await renderSegments(video, [{ seconds: 4, layout: { full: 'red' } }, { seconds: 4, layout: { left: 'blue', right: 'white' } }], { motion: true });
  expect((await vidmem(['ingest', video, '--store', store, '--model', 'palette'])).code).toBe(0);
});

describe('numbers out of range', () => {
  it.each([
    [['ingest', '--fps', '1000000'], '--fps must be a number from 0.01 to 30'],
    [['ingest', '--fps', '0'], '--fps must be a number from 0.01 to 30'],
    [['ingest', '--repeat-threshold', '1000'], '--repeat-threshold must be a number from 0 to 100'],
    [['ingest', '--clip-seconds', '0.01'], '--clip-seconds must be a number from 0.5 to 600'],
    [['ingest', '--tokens', '2.5'], '--tokens must be a whole number from 1 to 64'],
    [['ingest', '--batch', '1e9'], '--batch must be a whole number from 1 to 256'],
    [['ingest', '--threads', '-1'], '--threads must be a whole number from 1 to 256'],
    [['search', 'red', '--top', 'NaN'], '--top must be a whole number from 1 to 1000'],
    [['ask', 'red', '--budget', '99999999'], '--budget must be a whole number from 1 to 16384'],
    [['ask', 'red', '--video', '1e300'], '--video must be a positive whole number'],
  ])('%j is refused with its range, and nothing runs', async (args, message) => {
    const [command, ...rest] = args;
    const result = await vidmem([command!, ...(command === 'ingest' ? [video] : []), ...rest, '--store', store]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with --help'))).toHaveLength(1);
  });

  it('names each range in --help', async () => {
    const help = (await vidmem(['ingest', '--help'])).stdout.replace(/\s+/g, ' ');
    for (const range of ['(0.01–30)', '(0.5–600)', '(0–100)', '(1–64)', '(1–256)']) expect(help).toContain(range);
  });

  it('is refused by the library too, before anything is read', async () => {
    const app = openVidmem(store, { model: { model: 'palette' } });
    try {
      await expect(lastValueFrom(app.ingest(video, { settings: { fps: 1e6 } }))).rejects.toThrow('fps must be a number from 0.01 to 30, got 1000000');
      await expect(app.search('red', { top: 0 })).rejects.toThrow('top must be a whole number from 1 to 1000, got 0');
    } finally {
      await app.close();
    }
  });
});

describe('readers that stop early', () => {
  it('a search piped into a reader that closes at once ends quietly', async () => {
    const child = spawn(process.execPath, [BIN, 'search', 'red', '--store', store, '--top', '5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

/** Whether the dynamic linker finds a Vulkan loader (Debian's libvulkan1), which makes Dawn speak up. */
function hasVulkanLoader(): boolean {
  try {
    process.dlopen({ exports: {} }, 'libvulkan.so.1');
  } catch (err) {
    return !(err as Error).message.includes('cannot open shared object');
  }
  return true;
}

describe.skipIf(!hasVulkanLoader())('a Vulkan loader without a GPU', () => {
  it('--device auto says in one line that it uses the CPU, without Dawn\'s own warnings', async () => {
    const result = await vidmem(['search', 'red', '--store', store, '--device', 'auto']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^vidmem: .*webgpu unavailable \([^\n]*\); using cpu\n$/);
  });

  it('doctor reports WebGPU in its table and nothing on stderr', async () => {
    const result = await vidmem(['doctor']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/webgpu +unavailable: /);
    expect(result.stderr).toBe('');
  });
});
