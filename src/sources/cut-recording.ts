import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaError } from '../core/errors.js';
import type { Binary } from './ffmpeg-binaries.js';
import { fileInput } from './media-input.js';
import { runProcess } from './run-process.js';

/**
 * A playable MP4 of `seconds` from `at` (UTC seconds) of `files` (recorded segments in order, each
 * with the UTC second it began), copied without re-encoding: ffmpeg's concat demuxer joins them,
 * and the cut starts at the keyframe at or before `at`, so the snippet may begin a little early,
 * never late.
 */
export async function cutRecording(files: ReadonlyArray<{ readonly path: string; readonly start: number }>, at: number, seconds: number, output: string, ffmpeg: Binary): Promise<void> {
  const offset = at - files[0]!.start;
  const dir = mkdtempSync(join(tmpdir(), 'vidmem-clip-'));
  try {
    const list = join(dir, 'files.txt');
    // The concat demuxer's own quoting: a path in single quotes, a quote in it escaped.
    writeFileSync(list, files.map(({ path }) => `file '${path.replaceAll("'", "'\\''")}'\n`).join(''));
    const { code, stderr } = await runProcess(ffmpeg.path, [
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', fileInput(list),
      '-ss', Math.max(0, offset).toFixed(3), '-t', seconds.toFixed(3), '-map', '0', '-c', 'copy', '-bsf:a', 'aac_adtstoasc', '-movflags', '+faststart', fileInput(output),
    ]);
    if (code !== 0) throw new MediaError(`cannot cut ${output} from the recordings: ${stderr.trim().split('\n').at(-1) ?? `ffmpeg exited with ${code}`}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
