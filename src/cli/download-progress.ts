import cliProgress from 'cli-progress';
import type { ModelProgress, ProgressCallback } from '../../models/hub-model.js';
import { formatMegabytes } from './format.js';

export interface DownloadView {
  readonly onProgress: ProgressCallback;
  stop(): void;
}

const SILENT: DownloadView = { onProgress() {}, stop() {} };

/**
 * One bar per model file on stderr while a terminal watches; piped, one line per file, so logs
 * still say what was fetched from where; nothing when asked to be quiet.
 */
export function downloadProgress(enabled: boolean): DownloadView {
  if (!enabled) return SILENT;
  if (!process.stderr.isTTY) {
    const announced = new Set<string>();
    return {
      onProgress(event: ModelProgress) {
        if (event.status !== 'progress' || announced.has(event.file)) return;
        announced.add(event.file);
        const size = event.total === undefined ? '' : ` (${formatMegabytes(event.total)}${event.loaded ? `, resuming at ${formatMegabytes(event.loaded)}` : ''})`;
        process.stderr.write(`vidmem: downloading ${event.name}/${event.file}${size}\n`);
      },
      stop() {},
    };
  }
  const bars = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      // The file name goes last: on a narrow terminal it is what gets cut, not the figures.
      format: '{bar} {percentage}% | {loaded} of {size} | {speed}/s | {file}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const open = new Map<string, { bar: cliProgress.SingleBar; started: number; from: number }>();
  return {
    onProgress(event: ModelProgress) {
      const key = `${event.name}/${event.file}`;
      if (event.status === 'done') {
        open.delete(key);
        return;
      }
      if (event.status !== 'progress' || event.loaded === undefined) return;
      let entry = open.get(key);
      const total = event.total ?? event.loaded;
      if (!entry) {
        entry = { bar: bars.create(Math.max(1, total), 0), started: Date.now(), from: event.loaded };
        open.set(key, entry);
      }
      const seconds = Math.max(0.001, (Date.now() - entry.started) / 1000);
      entry.bar.setTotal(Math.max(1, total));
      entry.bar.update(event.loaded, {
        file: key,
        loaded: formatMegabytes(event.loaded),
        size: event.total === undefined ? '?' : formatMegabytes(event.total),
        speed: formatMegabytes((event.loaded - entry.from) / seconds),
      });
    },
    stop() {
      bars.stop();
    },
  };
}
