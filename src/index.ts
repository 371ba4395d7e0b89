/**
 * vidmem as a library: the same pieces the command line is built from. Ingest a file into a
 * store, search it, ask it questions; swap the model, distiller or decoder behind their interfaces.
 */
export { ingestFile, DEFAULT_INGEST, type IngestContext, type IngestEvent, type IngestSettings, type IngestSummary } from '../pipelines/ingest-file.js';
export { answerQuestion, type AnswerContext, type AnswerEvent, type AnswerOptions } from '../pipelines/answer-question.js';
export { MemoryStore, StoreError, ModelMismatchError } from '../storage/memory-store.js';
export { resolveModel, type ModelRef, type ResolveOptions } from '../models/resolve-model.js';
export { openVisionEncoder, openTextEncoder, type EncoderOptions } from './encoders/clip-encoder.js';
export type { ImageInput, ModelIdentity, TextEncoder, VisionEncoder } from './encoders/encoder.js';
export { TokenMergeDistiller, DEFAULT_TOKEN_MERGE, type TokenMergeOptions } from './memory/token-merge-distiller.js';
export type { Distiller, DistilledClip } from './memory/distiller.js';
export { findMoments, type FindOptions, type FoundMoment } from './search/find-moments.js';
export { GroundedAnswerer } from './decoders/grounded-answerer.js';
export { OpenAiChatDecoder } from './decoders/openai-chat.js';
export type { ChatTurn, DecodeRequest, Decoder, Evidence } from './decoders/decoder.js';
export { renderSegments, type Segment, type Layout } from './media/synthetic-video.js';
export { UserError, MediaError } from './errors.js';
export type { Clip, ClipMemory, EncodedFrame, Frame, MemoryToken, Moment } from './types.js';
