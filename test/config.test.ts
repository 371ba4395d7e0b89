import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, readConfig } from '../src/core/config.js';
import { ROOT, tempDir, vidmem } from './helpers/cli.js';

describe('configuration', () => {
  it('has a default for everything, and reads each variable it knows', () => {
    expect(readConfig({}, '/home/u')).toEqual({
      store: DEFAULTS.store,
      cacheDir: '/home/u/.cache/vidmem',
      offline: false,
      device: 'cpu',
      hub: { endpoint: 'https://huggingface.co' },
      binaries: {},
      llm: { timeoutMs: 120_000, deadlineMs: 300_000 },
      npmRegistry: 'https://registry.npmjs.org/',
      debug: false,
    });
    const env = {
      VIDMEM_STORE: '/data/memories', XDG_CACHE_HOME: '/xdg', HF_HUB_OFFLINE: 'true', VIDMEM_DEVICE: 'auto',
      HF_ENDPOINT: 'http://mirror.local:8080/', HF_TOKEN: 'hf_x', VIDMEM_FFMPEG: '/usr/bin/ffmpeg',
      VIDMEM_LLM_URL: 'http://127.0.0.1:11434/v1', VIDMEM_LLM_MODEL: 'llava', VIDMEM_LLM_TIMEOUT: '2.5', VIDMEM_LLM_DEADLINE: '90',
      VIDMEM_DEBUG: '1',
    };
    expect(readConfig(env, '/home/u')).toEqual({
      store: '/data/memories',
      cacheDir: '/xdg/vidmem',
      offline: true,
      device: 'auto',
      hub: { endpoint: 'http://mirror.local:8080', token: 'hf_x' },
      binaries: { ffmpeg: '/usr/bin/ffmpeg' },
      llm: { url: 'http://127.0.0.1:11434/v1', model: 'llava', timeoutMs: 2500, deadlineMs: 90_000 },
      npmRegistry: 'https://registry.npmjs.org/',
      debug: true,
    });
    // VIDMEM_CACHE wins over XDG; an empty variable is an unset one.
    expect(readConfig({ VIDMEM_CACHE: '/c', XDG_CACHE_HOME: '/xdg', VIDMEM_STORE: ' ' }, '/h')).toMatchObject({ cacheDir: '/c', store: DEFAULTS.store });
  });

  it.each([
    [{ VIDMEM_DEVICE: 'gpu' }, "VIDMEM_DEVICE must be one of auto, cpu, cuda, webgpu, got 'gpu'"],
    [{ VIDMEM_OFFLINE: 'maybe' }, "VIDMEM_OFFLINE must be 1 or 0 (or true/false, yes/no, on/off), got 'maybe'"],
    [{ VIDMEM_LLM_TIMEOUT: '-3' }, "VIDMEM_LLM_TIMEOUT must be a number from 1 to 3600 seconds, got '-3'"],
    [{ VIDMEM_LLM_DEADLINE: '0' }, "VIDMEM_LLM_DEADLINE must be a number from 1 to 86400 seconds, got '0'"],
    [{ VIDMEM_LLM_DEADLINE: 'soon' }, "VIDMEM_LLM_DEADLINE must be a number from 1 to 86400 seconds, got 'soon'"],
    [{ HF_ENDPOINT: 'mirror.local' }, "HF_ENDPOINT must be an http(s) URL such as https://huggingface.co, got 'mirror.local'"],
    [{ VIDMEM_LLM_URL: 'ftp://x' }, "VIDMEM_LLM_URL must be an http(s) URL such as http://127.0.0.1:11434/v1, got 'ftp://x'"],
  ])('refuses %o in one line that names the variable and the value', (env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });

  it('is read in one place: no other source file reads process.env', () => {
    const readers = ['src', 'pipelines', 'storage', 'models'].flatMap((folder) =>
      readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('.ts'))
        .map((e) => join(e.parentPath, e.name))
        .filter((file) => readFileSync(file, 'utf8').includes('process.env'))
        .map((file) => file.slice(ROOT.length + 1)),
    );
    expect(readers).toEqual(['src/core/config.ts']);
  });

  it('a bad variable stops a command with exit status 2 and one line, and leaves --help alone', async () => {
    const store = join(tempDir(), 'store');
    const bad = await vidmem(['videos', '--store', store], { env: { VIDMEM_DEVICE: 'gpu' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("vidmem: VIDMEM_DEVICE must be one of auto, cpu, cuda, webgpu, got 'gpu'\n");
    const help = await vidmem(['--help'], { env: { VIDMEM_DEVICE: 'gpu' } });
    expect(help.code).toBe(0);
  });
});
