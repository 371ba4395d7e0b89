/**
 * vidmem as a library: the application object the command line is built on. Open a store, ingest
 * files into it, search it, ask it questions, chat with it; bring your own encoder-independent
 * distiller or decoder through the interfaces in `core/ports`.
 */
export { openVidmem, Vidmem, type Access, type AskOptions, type IngestOptions, type NewChatTurn, type SearchOptions, type VideoListing, type VidmemOptions, type WatchOptions } from '../pipelines/vidmem.js';
export type { AnswerEvent, Decision, Selection, Verdict } from '../pipelines/answer-question.js';
export type { ChatEvent } from '../pipelines/chat-turn.js';
export type { IngestEvent, IngestProgress, IngestSummary } from '../pipelines/ingest-file.js';
export type { ModelChoice, ModelEvents } from '../pipelines/model-choice.js';
export type { SpeechChoice } from '../pipelines/speech-channel.js';
export { liveSource, type LiveSource } from '../pipelines/live-source.js';
export type { WatchEvent } from '../pipelines/watch-source.js';
export type { DecoderChoice } from '../pipelines/choose-decoder.js';
export { DEMO_SEGMENTS, renderSampleVideo, type Layout, type Segment } from '../pipelines/demo.js';
export { renderSampleLecture, SAMPLE_LECTURE, type LectureSlide } from '../pipelines/sample-lecture.js';
export { PRESET_NAMES, PRESETS, type Preset, type PresetName } from '../pipelines/presets.js';
export type { ReindexEvent, ReindexProgress, ReindexSummary } from '../pipelines/reindex-text.js';
export type { ClipText, TextChannel } from './core/clip-text.js';
export { ConfigError, DEFAULTS, readConfig, type Config, type IngestSettings } from './core/config.js';
export { MediaError, UserError } from './core/errors.js';
export type { Box, ClipDetection, Detection } from './core/detections.js';
export { parseZones, type Zone } from './core/zones.js';
export type { Clip, ClipMemory, DistilledClip, EncodedFrame, Frame, MemoryToken } from './core/clips.js';
export type { CitedMoment, Evidence, Moment } from './core/moments.js';
export type { ModelIdentity } from './core/model-identity.js';
export type { ChatTurn, DecodeRequest, Decoder } from './core/ports/decoder.js';
export type { Distiller } from './core/ports/distiller.js';
