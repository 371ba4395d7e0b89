import { Argument, Command } from 'commander';
import { LIMITS } from '../../core/config.js';
import { UserError } from '../../core/errors.js';
import { formatDuration, formatTimestamp, formatWallClock } from '../../core/time-format.js';
import type { VideoListing } from '../../../pipelines/vidmem.js';
import { positiveInteger, rangedDuration, storeOption } from '../options.js';

/**
 * How far an unfinished video got. An ingest still running and one that was stopped look the same
 * in the store; either way, the same command resumes it.
 */
function unfinished(video: VideoListing): string {
  return video.status === 'ingesting'
    ? `ingesting or interrupted at ${formatTimestamp(video.storedUntil)}; the same vidmem ingest resumes it`
    : `incomplete: the file could be decoded up to ${formatTimestamp(video.storedUntil)}`;
}

async function listVideos(flags: { store?: string; json: boolean }): Promise<void> {
  const { withApp } = await import('../app.js');
  await withApp({ store: flags.store }, 'read', async (app) => {
    const videos = app.videos();
    if (flags.json) {
      const out = videos.map((v) => ({ id: v.id, path: v.path, durationSec: v.durationSec, clips: v.clips, status: v.status }));
      process.stdout.write(`${JSON.stringify({ videos: out })}\n`);
      return;
    }
    const model = app.model();
    if (model) process.stdout.write(`store ${app.storeDir} · model ${model.name} (${model.dim}-d)\n`);
    if (videos.length === 0) process.stdout.write('no videos yet\n');
    for (const v of videos) {
      const status = v.status === 'complete' ? '' : `  [${unfinished(v)}]`;
      process.stdout.write(`${String(v.id).padStart(4)}  ${formatTimestamp(v.durationSec).padStart(8)}  ${String(v.clips).padStart(5)} clips  ${v.path}${status}\n`);
    }
  });
}

const parseId = positiveInteger('a video id');

/** Each video removed is a line; one that is not there is a line on stderr and a failed exit, and the others are still removed. */
async function removeVideos(ids: number[], flags: { store?: string }): Promise<void> {
  const { withApp } = await import('../app.js');
  await withApp({ store: flags.store }, 'write', async (app) => {
    for (const id of ids) {
      try {
        const { video, clips } = app.deleteVideo(id);
        process.stdout.write(`removed video ${id} (${video.path}): ${clips} clips, their memories and keyframes\n`);
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        process.stderr.write(`vidmem: ${err.message}\n`);
        process.exitCode = err.exitCode;
      }
    }
  }, { create: false });
}

async function pruneKeyframes(flags: { store?: string; keyframesOlderThan: number }): Promise<void> {
  const { withApp } = await import('../app.js');
  await withApp({ store: flags.store }, 'write', async (app) => {
    const { keyframes, before } = app.pruneKeyframes(flags.keyframesOlderThan);
    process.stdout.write(`removed ${keyframes} keyframe${keyframes === 1 ? '' : 's'} older than ${formatDuration(flags.keyframesOlderThan)} (before ${formatWallClock(before)}); their clips are still found, shown without a picture\n`);
  }, { create: false });
}

export function videosCommand(): Command {
  const videos = new Command('videos')
    .addOption(storeOption())
    .option('--json', 'print {"videos":[…]}', false)
    .action(listVideos);
  videos
    .command('rm')
    .description('remove videos (a live source\'s segment too) with their clips, memories, texts, keyframes and chat sessions')
    .addArgument(new Argument('<id...>', 'video ids, as `vidmem videos` lists them').argParser((id: string, ids: number[] = []) => [...ids, parseId(id)]))
    .addOption(storeOption())
    .addHelpText('after', "\nA live source's recordings stay: they are the source's, kept or pruned by `vidmem watch --retain`.")
    // `videos` takes --store too, and commander gives it to whichever command defines it first.
    .action((ids: number[], _flags: unknown, command: Command) => removeVideos(ids, command.optsWithGlobals()));
  videos
    .command('prune')
    .description("remove old keyframes, keeping the clips' memories and texts")
    .requiredOption(
      '--keyframes-older-than <duration>',
      "remove the keyframes (thumbnails) of clips older than this (e.g. 30d; 0s: all): a file's by when it was ingested, a live source's by their time",
      rangedDuration('--keyframes-older-than', LIMITS.keyframeAgeSec),
    )
    .addOption(storeOption())
    .addHelpText('after', "\nSearch, ask and the web page still find those moments, shown without a picture. Crash-safe like `videos rm`;\na live source's memories and keyframes are also pruned by `vidmem watch --retain-memories`.")
    .action((_flags: unknown, command: Command) => pruneKeyframes(command.optsWithGlobals()));
  return videos;
}
