import type { InferenceSession } from 'onnxruntime-node';

/**
 * Opens an ONNX graph on the execution provider the user chose, falling back as `--device auto`
 * does (src/encoders/devices.ts): how a block that runs a model (OCR, the detector) gets a
 * session without knowing about devices.
 */
export type OpenSession = (graph: string) => Promise<InferenceSession>;
