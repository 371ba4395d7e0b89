/**
 * A hub repo's model files in the cache, at `<cache>/hub/<org>/<name>/<file>`: the repo-relative
 * layout transformers.js' file cache uses, so the folder also loads in transformers.js as is.
 * Files already there are used without asking the network; missing ones are downloaded, verified
 * and recorded in the folder's manifest.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../src/core/errors.js';
import { DownloadError, downloadFile } from './download.js';
import { HUB_REVISION, hubFileUrl, hubFolder, hubHeaders, type HubAccess } from './hub.js';
import { readManifest, recordFile, writeManifest, type Manifest } from './manifest.js';
import type { ModelFile } from './model-files.js';

/** Shaped like transformers.js' progress_callback events, so the same handlers fit both. */
export interface ModelProgress {
  readonly status: 'initiate' | 'progress' | 'done';
  /** The model (repo id). */
  readonly name: string;
  /** Path inside the model folder, e.g. `onnx/vision_model.onnx`. */
  readonly file: string;
  readonly loaded?: number;
  readonly total?: number;
  /** Percent, when the total is known. */
  readonly progress?: number;
}

export type ProgressCallback = (event: ModelProgress) => void;

export interface HubFetchOptions {
  readonly cacheDir: string;
  readonly offline: boolean;
  readonly hub: HubAccess;
  readonly onProgress?: ProgressCallback;
  /** Named in messages so that the advice to pull repeats the user's choice. */
  readonly dtypeFlag?: string;
}

/** The required files that are not in `folder` yet. */
export function missingFiles(folder: string, files: readonly ModelFile[]): string[] {
  return files.filter((file) => file.required && !existsSync(join(folder, file.path))).map((file) => file.path);
}

function howToGet(repo: string, folder: string, dtypeFlag = ''): string {
  return (
    `To get it, run \`vidmem models pull ${repo}${dtypeFlag}\` on a connected machine and copy ${folder} to the same place here ` +
    `(or anywhere, and pass that folder to --model); or use the built-in offline model with --model palette.`
  );
}

function explain(err: unknown, repo: string, file: string, folder: string, options: HubFetchOptions): unknown {
  if (!(err instanceof DownloadError)) return err;
  switch (err.failure) {
    case 'not-found':
      return new UserError(`model ${repo} has no file ${file} (${err.url})`);
    case 'denied':
      return new UserError(`model ${repo}: ${err.message}; it may be gated or private: accept its terms on the hub and set HF_TOKEN`);
    case 'unreachable':
      return new UserError(`cannot download model ${repo}: ${err.message}. ${howToGet(repo, folder, options.dtypeFlag)}`);
    case 'corrupt':
      return new UserError(`model ${repo}: ${file} failed verification: ${err.message}. Run the command again to download it anew.`);
    case 'failed':
      return new UserError(`model ${repo}: downloading ${file} failed: ${err.message}. Run the command again to resume.`);
  }
}

/**
 * Makes sure every required file of `files` is in the repo's cache folder and returns the folder.
 * Offline, nothing is fetched and the error lists what is missing.
 */
export async function ensureHubFiles(repo: string, files: readonly ModelFile[], options: HubFetchOptions): Promise<string> {
  const folder = hubFolder(options.cacheDir, repo);
  const missing = missingFiles(folder, files);
  if (missing.length === 0) return folder;
  if (options.offline) {
    throw new UserError(
      `model ${repo} is not in the cache (${folder}): missing ${missing.join(', ')}. ` +
        `Offline mode is on (--offline, VIDMEM_OFFLINE or HF_HUB_OFFLINE), so nothing was downloaded. ${howToGet(repo, folder, options.dtypeFlag)}`,
    );
  }
  const manifest: Manifest = (await readManifest(folder)) ?? {
    source: 'hub',
    name: repo,
    endpoint: options.hub.endpoint,
    revision: HUB_REVISION,
    files: {},
    absent: [],
  };
  const emit = (event: Omit<ModelProgress, 'name'>) => options.onProgress?.({ name: repo, ...event });
  for (const file of files) {
    if (existsSync(join(folder, file.path)) || manifest.absent.includes(file.path)) continue;
    const url = hubFileUrl(options.hub, repo, file.path);
    emit({ status: 'initiate', file: file.path });
    try {
      const got = await downloadFile(url, join(folder, file.path), {
        headers: hubHeaders(options.hub),
        onProgress: (loaded, total) =>
          emit({ status: 'progress', file: file.path, loaded, total, ...(total ? { progress: (100 * loaded) / total } : {}) }),
      });
      recordFile(manifest, folder, file.path, got);
      manifest.commit ??= got.commit;
    } catch (err) {
      if (!(err instanceof DownloadError && err.failure === 'not-found' && !file.required)) {
        emit({ status: 'done', file: file.path });
        throw explain(err, repo, file.path, folder, options);
      }
      manifest.absent.push(file.path);
    }
    // Written after every file, so an interrupted pull keeps the records of what it finished.
    if (existsSync(folder)) await writeManifest(folder, manifest);
    emit({ status: 'done', file: file.path });
  }
  return folder;
}
