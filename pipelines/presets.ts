/**
 * Presets: a named set of ingest options for one kind of video. Explicit options override a
 * preset's, and a preset overrides the built-in defaults.
 */
import type { IngestSettings } from '../src/core/config.js';
import { UserError } from '../src/core/errors.js';
import type { SubtitleChoice } from './subtitle-texts.js';

export interface Preset {
  /** What the preset is for and what it sets, for `--help`. */
  readonly description: string;
  readonly settings: Partial<IngestSettings>;
  readonly ocr: boolean;
  readonly subtitles: SubtitleChoice;
  /** Find people and vehicles, where the detector can be had (it is fetched once, about 145 MB). */
  readonly detect: boolean;
}

export const PRESETS = {
  lecture: {
    description: 'slides, talks, screen recordings: clips end at slide changes, text on screen read by OCR, subtitles picked up',
    settings: { sceneCuts: true },
    ocr: true,
    subtitles: 'auto',
    detect: false,
  },
  surveillance: {
    // Sensor noise and compression shimmer change a fraction of a percent of a still scene's
    // pixels; 2 % keeps an empty street from being encoded frame after frame.
    description: 'fixed cameras: frames where under 2 % of pixels changed are skipped as static, people and vehicles found by the object detector, no OCR, no subtitles',
    settings: { repeatThreshold: 2 },
    ocr: false,
    subtitles: 'off',
    detect: true,
  },
  chat: {
    description: 'films and recordings to talk about: the defaults, subtitles picked up, no OCR',
    settings: {},
    ocr: false,
    subtitles: 'auto',
    detect: false,
  },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** Without a preset: the defaults, which read no text on screen and pick up subtitles. */
const NO_PRESET: Preset = PRESETS.chat;

export function preset(name: string | undefined): Preset {
  if (name === undefined) return NO_PRESET;
  if (!(name in PRESETS)) throw new UserError(`unknown preset '${name}'; the presets are ${PRESET_NAMES.join(', ')}`);
  return PRESETS[name as PresetName];
}
