/**
 * The speech channel made ready: Whisper resolved through the model layer (a hub repo id, fetched
 * into the cache with progress like CLIP, or a folder), Silero VAD from the file the user gave,
 * both on vidmem's one onnxruntime. What comes out reads a video's speech as timed text.
 */
import { existsSync } from 'node:fs';
import type { ClipText } from '../src/core/clip-text.js';
import type { Device, Dtype } from '../src/core/config.js';
import { UserError } from '../src/core/errors.js';
import type { Binary } from '../src/sources/ffmpeg-binaries.js';
import { whisperGraphs, whisperModelFiles } from '../models/model-files.js';
import { resolveModel, type ModelSources } from '../models/resolve-model.js';
import type { ModelEvents } from './model-choice.js';
import { speechTexts } from './speech-texts.js';

/** --asr, --vad and the language: which recognizer, and where speech is told from silence. */
export interface SpeechChoice {
  /** Whisper in the transformers.js ONNX layout: a repo id such as onnx-community/whisper-base, or a folder. */
  readonly model: string;
  /** Silero VAD's ONNX file (v4 or v5). */
  readonly vad: string;
  /** The language spoken, for multilingual models (default: en). */
  readonly language?: string;
  readonly dtype?: Dtype;
}

export type ReadSpeech = (videoPath: string) => Promise<ClipText[]>;

export async function openSpeech(
  choice: SpeechChoice,
  context: { readonly sources: ModelSources; readonly events: ModelEvents; readonly device: Device; readonly ffmpeg: Binary },
): Promise<ReadSpeech> {
  if (!existsSync(choice.vad)) {
    throw new UserError(`--vad ${choice.vad}: no such file; speech recognition needs Silero VAD's silero_vad.onnx (from github.com/snakers4/silero-vad) to find where someone speaks`);
  }
  const dtype = choice.dtype ?? 'fp32';
  const model = await resolveModel(choice.model, { ...context.sources, dtype, files: whisperModelFiles(dtype), onProgress: context.events.onDownload });
  const [{ createSession }, { openSileroVad }, { openWhisper }] = await Promise.all([
    import('../src/encoders/devices.js'),
    import('../src/speech/voice-activity.js'),
    import('../src/speech/whisper-transcriber.js'),
  ]);
  const log = context.events.onNotice;
  const [vad, transcriber] = await Promise.all([
    // A 32 ms frame at a time: one thread, and never worth a GPU.
    openSileroVad((graph) => createSession(graph, { device: 'cpu', threads: 1, ...(log ? { log } : {}) }), choice.vad),
    openWhisper((graph) => createSession(graph, { device: context.device, ...(log ? { log } : {}) }), model.folder, { ...whisperGraphs(dtype), ...(choice.language ? { language: choice.language } : {}) }),
  ]);
  return (videoPath) => speechTexts(videoPath, { vad, transcriber, ffmpeg: context.ffmpeg, onNotice: (message) => log?.(`vidmem: ${message}`) });
}
