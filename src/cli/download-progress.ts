import type cliProgress from 'cli-progress';
import { createRequire } from 'node:module';
import type { ModelProgress, ProgressCallback } from '../../pipelines/model-choice.js';
import { formatMegabytes } from './format.js';

const require = createRequire(import.meta.url);

/**
 * One bar per model file on stderr while a terminal watches, gone once every file is in; piped,
 * one line per file, so logs still say what was fetched from where.
 */
export function downloadProgress(): ProgressCallback {
  if (!process.stderr.isTTY) {
    const announced = new Set<string>();
    return (event: ModelProgress) => {
      if (event.status !== 'progress' || announced.has(event.file)) return;
      announced.add(event.file);
      const size = event.total === undefined ? '' : ` (${formatMegabytes(event.total)}${event.loaded ? `, resuming at ${formatMegabytes(event.loaded)}` : ''})`;
      process.stderr.write(`vidmem: downloading ${event.name}/${event.file}${size}\n`);
    };
  }
  let bars: cliProgress.MultiBar | undefined;
  const open = new Map<string, { bar: cliProgress.SingleBar; started: number; from: number }>();
  return (event: ModelProgress) => {
    const key = `${event.name}/${event.file}`;
    if (event.status === 'done') {
      open.delete(key);
      if (open.size === 0) {
        bars?.stop();
        bars = undefined;
      }
      return;
    }
    if (event.status !== 'progress' || event.loaded === undefined) return;
    // cli-progress is loaded with the first bar: most commands download nothing.
    const { MultiBar, Presets } = require('cli-progress') as typeof cliProgress;
    bars ??= new MultiBar(
      {
        stream: process.stderr,
        // The file name goes last: on a narrow terminal it is what gets cut, not the figures.
        format: '{bar} {percentage}% | {loaded} of {size} | {speed}/s | {file}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
      },
      Presets.shades_classic,
    );
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
  };
}
