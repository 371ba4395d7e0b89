import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const run = promisify(execFile);

describe('examples', () => {
  it('search-a-video ingests a sample through the library API and finds the scene asked for', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'dist', 'examples', 'search-a-video.js')]);
    expect(stdout).toMatch(/: 6 clips in /);
    expect(stdout).toMatch(/^"blue on the left": 8\.0–16\.0 s, score 0\.\d{3}$/m);
  });
});
