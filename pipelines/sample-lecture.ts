/**
 * A short lecture with known words, for the example, the tests and a first try of lecture search:
 * slides of black type on white, each shown for a while, as a screen recording of a talk looks.
 */
import type { Config } from '../src/core/config.js';
import { mediaTools } from '../src/sources/ffmpeg-binaries.js';
import { renderLecture, type LectureOptions, type LectureSlide } from '../src/sources/synthetic-lecture.js';

export type { LectureSlide } from '../src/sources/synthetic-lecture.js';
export { slideTimes } from '../src/sources/synthetic-lecture.js';

export const SAMPLE_LECTURE: readonly LectureSlide[] = [
  { title: 'Photosynthesis', lines: ['How plants turn light into sugar', 'Lecture 4, Biology 101'], seconds: 20 },
  { title: 'The light reactions', lines: ['Chlorophyll absorbs red and blue light', 'Water is split and oxygen released'], seconds: 20 },
  { title: 'The Calvin cycle', lines: ['Fixes carbon dioxide into sugar', 'Runs in the stroma of the chloroplast'], seconds: 20 },
  { title: 'Rubisco', lines: ['The most abundant enzyme on Earth', 'Slow, and it confuses oxygen with carbon'], seconds: 20 },
  { title: 'C4 and CAM plants', lines: ['Maize and sugarcane concentrate carbon', 'Cacti open their pores at night'], seconds: 20 },
  { title: 'Summary', lines: ['Light makes ATP, the cycle makes sugar', 'Next week: cellular respiration'], seconds: 20 },
];

/** The slides as an H.264 file, rendered with the configured ffmpeg. */
export function renderSampleLecture(path: string, slides: readonly LectureSlide[], config: Config, options: Omit<LectureOptions, 'ffmpeg'> = {}): Promise<void> {
  return renderLecture(path, slides, { ...options, ffmpeg: mediaTools(config.binaries).ffmpeg });
}
