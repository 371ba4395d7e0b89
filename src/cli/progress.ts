import type cliProgress from 'cli-progress';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { formatTimestamp } from '../core/time-format.js';
import type { IngestProgress } from '../../pipelines/ingest-file.js';

export interface ProgressView {
  update(event: IngestProgress): void;
  stop(): void;
}

const SILENT: ProgressView = { update() {}, stop() {} };

const require = createRequire(import.meta.url);

/** A bar on stderr while a terminal watches; nothing when output is piped or JSON was asked for. */
export function ingestProgress(enabled: boolean, label: string): ProgressView {
  if (!enabled || !process.stderr.isTTY) return SILENT;
  // Only a terminal gets a bar, so only then is cli-progress loaded.
  const { SingleBar, Presets } = require('cli-progress') as typeof cliProgress;
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: `${basename(label)} {bar} {percentage}% | {time}/{videoLength} | {speed}× real time | {clips} clips | {skipped} frames skipped`,
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(event) {
      const payload = {
        time: formatTimestamp(event.position),
        videoLength: formatTimestamp(event.durationSec),
        speed: event.speed.toFixed(1),
        clips: event.clips,
        skipped: event.framesSkipped,
      };
      if (!started) {
        bar.start(Math.max(1, Math.round(event.durationSec)), 0, payload);
        started = true;
      }
      bar.update(Math.round(event.position), payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
