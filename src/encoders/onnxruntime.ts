/**
 * onnxruntime-node, required rather than imported. It is CommonJS: imported from an ES module,
 * Node first parses it and everything it re-exports for named exports, which costs a command
 * that encodes one question a tenth of its start-up; required, it loads as is.
 */
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';

export const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof Ort;
