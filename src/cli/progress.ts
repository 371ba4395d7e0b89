import type cliProgress from 'cli-progress';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { formatTimestamp } from '../core/time-format.js';
import type { IngestProgress } from '../../pipelines/ingest-file.js';
import type { ReindexProgress } from '../../pipelines/reindex-text.js';

export interface ProgressView<E> {
  update(event: E): void;
  stop(): void;
}

const SILENT: ProgressView<never> = { update() {}, stop() {} };

const require = createRequire(import.meta.url);

/**
 * A bar on stderr over a video's length while a terminal watches; nothing when output is piped or
 * JSON was asked for. `payload` gives the bar's fields besides {time} and {videoLength}.
 */
function videoBar<E extends { readonly position: number; readonly durationSec: number }>(
  enabled: boolean,
  format: string,
  payload: (event: E) => Record<string, string | number>,
): ProgressView<E> {
  if (!enabled || !process.stderr.isTTY) return SILENT;
  // Only a terminal gets a bar, so only then is cli-progress loaded.
  const { SingleBar, Presets } = require('cli-progress') as typeof cliProgress;
  const bar = new SingleBar({ stream: process.stderr, format, hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
  let started = false;
  return {
    update(event) {
      const fields = { time: formatTimestamp(event.position), videoLength: formatTimestamp(event.durationSec), ...payload(event) };
      if (!started) {
        bar.start(Math.max(1, Math.round(event.durationSec)), 0, fields);
        started = true;
      }
      bar.update(Math.round(event.position), fields);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function ingestProgress(enabled: boolean, label: string): ProgressView<IngestProgress> {
  return videoBar(
    enabled,
    `${basename(label)} {bar} {percentage}% | {time}/{videoLength} | {speed}× real time | {clips} clips | {skipped} frames skipped`,
    (event: IngestProgress) => ({ speed: event.speed.toFixed(1), clips: event.clips, skipped: event.framesSkipped }),
  );
}

export function reindexProgress(enabled: boolean, label: string): ProgressView<ReindexProgress> {
  return videoBar(enabled, `${basename(label)} text {bar} {percentage}% | {time}/{videoLength}`, () => ({}));
}
