import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LECTURE_FONT } from '../src/sources/synthetic-lecture.js';
import { ROOT } from './helpers/cli.js';
import { detectorAvailable } from './helpers/models.js';
import { haveVtest } from './helpers/video-frames.js';

const run = promisify(execFile);
/** The street camera's footage and a detector to see its people with: both come from outside the repository. */
const streetFootage = haveVtest() && (await detectorAvailable());

describe('examples', () => {
  it('search-a-video ingests a sample through the library API and finds the scene asked for', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'dist', 'examples', 'search-a-video.js')]);
    expect(stdout).toMatch(/: 6 clips in /);
    expect(stdout).toMatch(/^"blue on the left": 8\.0–16\.0 s, score 0\.\d{3}$/m);
  });

  it.skipIf(!existsSync(LECTURE_FONT))('search-a-lecture reads the slides with the lecture preset and finds the slide a question names', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'dist', 'examples', 'search-a-lecture.js')]);
    expect(stdout).toMatch(/: 6 clips, \d+ lines of text from 6 slides read by OCR in /);
    expect(stdout).toMatch(/^"where does the Calvin cycle run\?": 40\.0–60\.0 s, score 0\.\d{3}$/m);
    expect(stdout).toMatch(/^  slide at 40\.0 s: The Calvin cycle$/m);
  }, 120_000);

  it.skipIf(!streetFootage)('alert-on-people raises one alert for the people on the street of vtest.avi, with its snapshot', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'dist', 'examples', 'alert-on-people.js')]);
    expect(stdout).toMatch(/^rule 1: two on the street$/m);
    expect(stdout).toMatch(/^alert: two on the street at \d+ s, \d+ people, snapshot .*\/snapshots\/\d+-1\.jpg$/m);
    expect(stdout).toMatch(/^20 clips, \d+ frames looked at by the detector$/m);
    expect(stdout.match(/^event \d+: /gm)).toHaveLength(1);
  }, 120_000);

  it('watch-a-camera watches a sample played as a camera, finds a scene of the last minute, and records the gap where it ended', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'dist', 'examples', 'watch-a-camera.js')]);
    expect(stdout).toMatch(/^clip \d\d:\d\d:\d\d–\d\d:\d\d:\d\d UTC$/m);
    expect(stdout).toMatch(/^lost: the stream ended$/m);
    expect(stdout).toMatch(/^blue on the left: \d\d:\d\d:\d\d UTC, score 0\.\d{3}$/m);
    expect(stdout).toMatch(/^door: \d+ clips, 1 gap \(the stream ended\)$/m);
  }, 120_000);
});
