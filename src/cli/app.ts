/**
 * The application as the command line opens it: the configuration read once, the store from
 * --store, and the application's notices (store upgrades, model downloads and generation, a device
 * fallback) written to stderr the way a terminal user expects them.
 */
import type { Observable } from 'rxjs';
import { UserError } from '../core/errors.js';
import type { ModelChoice, ModelEvents } from '../../pipelines/model-choice.js';
import { openVidmem, type Access, type Vidmem, type VidmemOptions } from '../../pipelines/vidmem.js';
import { cliConfig } from './config.js';
import { downloadProgress } from './download-progress.js';

export { cliConfig } from './config.js';

export interface AppFlags extends ModelChoice {
  readonly store?: string;
  readonly llm?: string;
  readonly images?: boolean;
}

/** Notices of model work on stderr; `quiet` (JSON output) keeps downloads and generation silent. */
export function modelEvents(quiet: boolean): ModelEvents {
  const notice = (line: string) => process.stderr.write(`${line}\n`);
  if (quiet) return { onNotice: notice };
  return {
    onDownload: downloadProgress(),
    onGenerate: (name, folder) => notice(`vidmem: generating built-in model '${name}' in ${folder}`),
    onNotice: notice,
  };
}

export interface OpenAppOptions {
  /** No download bars or generation notices (JSON output). */
  readonly quiet?: boolean;
  /** Make a missing store (default: when writing). */
  readonly create?: boolean;
  /**
   * Answers go to clients (the web page, an agent over MCP) that get each moment's keyframe as
   * evidence: the built-in answerer leaves the files' paths on this machine out of its text.
   */
  readonly forClients?: boolean;
}

export function openApp(flags: AppFlags, access: Access, options: OpenAppOptions = {}): Vidmem {
  const { store, llm, images, ...model } = flags;
  const appOptions: VidmemOptions = {
    config: cliConfig(),
    access,
    ...(options.create !== undefined ? { create: options.create } : {}),
    model,
    decoder: { ...(llm !== undefined ? { llm } : {}), ...(images !== undefined ? { images } : {}), ...(options.forClients ? { keyframePaths: false } : {}) },
    onUpgrade: ({ dir, from, to }) =>
      process.stderr.write(`upgrading store ${dir} from schema ${from} to ${to} and rebuilding its index (once; minutes for millions of clips)…\n`),
    ...modelEvents(options.quiet ?? false),
  };
  return openVidmem(store ?? cliConfig().store, appOptions);
}

/** Runs `work` with the application open, closing it (and saving its index) however `work` ends. */
export async function withApp<T>(flags: AppFlags, access: Access, work: (app: Vidmem) => Promise<T>, options: OpenAppOptions = {}): Promise<T> {
  const app = openApp(flags, access, options);
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/** Consumes an Observable to its end; aborting `signal` unsubscribes (which stops ffmpeg or the decoder) and rejects. */
export function consume<T>(events$: Observable<T>, onEvent: (event: T) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const subscription = events$.subscribe({ next: onEvent, error: reject, complete: resolve });
    signal?.addEventListener(
      'abort',
      () => {
        subscription.unsubscribe();
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * One job of a command that does several (a file to ingest, a video to reindex): its progress on
 * the bar, its summary printed as text or JSON. A job that fails for a reason the user can act on
 * is reported in one line and sets the exit status, and the command goes on with the next; with
 * --json it also has its line on standard output (`{ path, error }`), so that every job has one.
 */
export async function runJob<P extends { readonly type: 'progress' }, S extends { readonly type: 'done' }, O extends { readonly type: string } = never>(
  events$: Observable<P | S | O>,
  progress: { update(event: P): void; stop(): void },
  output: { readonly json: boolean; readonly path: string; readonly describe: (summary: S) => string; readonly other?: (event: O) => void },
): Promise<void> {
  let summary: S | undefined;
  try {
    await consume(events$, (event) => {
      if (event.type === 'progress') progress.update(event as P);
      else if (event.type === 'done') summary = event as S;
      else output.other?.(event as O);
    });
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    process.stderr.write(`vidmem: ${err.message}\n`);
    if (output.json) process.stdout.write(`${JSON.stringify({ path: output.path, error: err.message })}\n`);
    process.exitCode ??= err.exitCode;
    return;
  } finally {
    progress.stop();
  }
  if (!summary) return;
  const { type: _type, ...fields } = summary;
  process.stdout.write(output.json ? `${JSON.stringify(fields)}\n` : `${output.describe(summary)}\n`);
}
