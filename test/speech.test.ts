import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir, vidmem } from './helpers/cli.js';
import { cpuSessions } from './helpers/models.js';
import { speechTexts } from '../pipelines/speech-texts.js';
import type { Transcriber } from '../src/core/ports/transcriber.js';
import { mediaTools } from '../src/sources/ffmpeg-binaries.js';
import { SPEECH_SAMPLE_RATE } from '../src/core/speech-audio.js';
import { decodeAudio } from '../src/sources/decode-audio.js';
import { FRAMES, logMel, melFilters } from '../src/speech/log-mel.js';
import { speechWindows } from '../src/speech/speech-windows.js';
import { openWhisper } from '../src/speech/whisper-transcriber.js';
import { whisperGraphs } from '../models/model-files.js';
import { TINY_WHISPER_SEGMENTS, writeTinyWhisper } from './helpers/tiny-whisper.js';
import { openSileroVad, speechSpans, type SpeechSpan, type Vad } from '../src/speech/voice-activity.js';

const ffmpeg = mediaTools().ffmpeg;
/** The user-supplied Silero VAD, in the shared models folder beside the checkout when there is one. */
const VAD_GRAPH = join(ROOT, '..', 'shared', 'models', 'silero-vad', 'silero_vad.onnx');
const haveVad = existsSync(VAD_GRAPH);
const haveEspeak = spawnSync('espeak-ng', ['--version']).status === 0;
if (!haveVad) console.warn(`Silero VAD tests skipped: no ${VAD_GRAPH}`);
if (!haveEspeak) console.warn('speech tests skipped: no espeak-ng (apt-get install espeak-ng)');

describe('speech windows', () => {
  it('groups neighbouring spans into windows of at most 30 s and cuts a longer span into equal parts', () => {
    expect(speechWindows([{ start: 1, end: 5 }, { start: 8, end: 20 }, { start: 29, end: 40 }])).toEqual([{ start: 1, end: 20 }, { start: 29, end: 40 }]);
    expect(speechWindows([{ start: 10, end: 80 }])).toEqual([{ start: 10, end: 10 + 70 / 3 }, { start: 10 + 70 / 3, end: 10 + 140 / 3 }, { start: 10 + 140 / 3, end: 80 }]);
    expect(speechWindows([])).toEqual([]);
    for (const w of speechWindows([{ start: 0, end: 12 }, { start: 13, end: 100 }, { start: 101, end: 102 }])) expect(w.end - w.start).toBeLessThanOrEqual(30 + 1e-9);
  });
});

describe("Whisper's features", () => {
  const filters = melFilters(80);
  it('give a tone its energy in the mel band around its frequency, and silence the floor', () => {
    const tone = Float32Array.from({ length: 2 * SPEECH_SAMPLE_RATE }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / SPEECH_SAMPLE_RATE));
    const features = logMel(tone, filters);
    expect(features).toHaveLength(80 * FRAMES);
    // At a frame inside the tone, the loudest band is the one whose filter weighs 1 kHz most.
    const at = 100;
    const bands = Array.from({ length: 80 }, (_, m) => features[m * FRAMES + at]!);
    const loudest = bands.indexOf(Math.max(...bands));
    const bin = (1000 * 400) / SPEECH_SAMPLE_RATE;
    const weights = filters.map((f) => f[bin]!);
    expect(loudest).toBe(weights.indexOf(Math.max(...weights)));
    // Past the tone is silence: 8 orders below the peak, the clamp's floor.
    expect(features[loudest * FRAMES + 2000]).toBeCloseTo(bands[loudest]! - 2, 5);
    expect(new Set(logMel(new Float32Array(100), filters))).toEqual(new Set([(-10 + 4) / 4]));
  });
});

describe('Whisper on onnxruntime (a Whisper-shaped model that writes a fixed script)', () => {
  it('writes timed pieces of text at video time, through the encoder, the cached decoder and the timestamp rules', async () => {
    const folder = writeTinyWhisper(join(tempDir('vidmem-whisper-'), 'tiny-whisper'));
    const transcribe = await openWhisper(cpuSessions(1), folder, whisperGraphs('fp32'));
    const samples = Float32Array.from({ length: 4 * SPEECH_SAMPLE_RATE }, (_, i) => Math.sin(i / 7) * 0.1);
    expect(await transcribe(samples, 10)).toEqual(TINY_WHISPER_SEGMENTS.map((s) => ({ ...s, start: s.start + 10, end: s.end + 10 })));
    // Whisper reads 30 s padded with silence: what it writes past the window's audio is dropped or cut at its end.
    expect(await transcribe(samples.subarray(0, 1.2 * SPEECH_SAMPLE_RATE), 0)).toEqual([{ text: 'hello world', start: 0.5, end: 1.2 }]);
  });

  it('refuses a folder that is not Whisper in one line', async () => {
    const folder = tempDir('vidmem-not-whisper-');
    await expect(openWhisper(cpuSessions(1), folder, whisperGraphs('fp32'))).rejects.toThrow(/^speech model .*: cannot read \w+\.json \(.*\); is it a Whisper model in the transformers\.js ONNX layout\?$/);
  });
});

describe('speech spans from frame probabilities', () => {
  const options = { threshold: 0.5, minSpeech: 0.25, minSilence: 0.3, padding: 0.1 };
  it('bridges short pauses, drops short bursts, pads and stays inside the audio', () => {
    // 0.1 s frames: speech 1.0–2.0, a 0.2 s pause, speech 2.2–3.0, a 0.1 s click at 5.0, speech to the end.
    const p = Array.from({ length: 70 }, (_, i) => ((i >= 10 && i < 20) || (i >= 22 && i < 30) || i === 50 || i >= 65 ? 0.9 : 0.05));
    const spans = speechSpans(p, 0.1, 7, options);
    expect(spans.map((s) => [s.start.toFixed(2), s.end.toFixed(2)])).toEqual([['0.90', '3.10'], ['6.40', '7.00']]);
  });
});

describe.skipIf(!haveEspeak)('speech in a video', () => {
  const dir = tempDir('vidmem-speech-');
  const video = join(dir, 'talk.mp4');
  const silent = join(dir, 'silent.mp4');
  /** Where the words really are: 2 s silence, sentence one, 3 s silence, sentence two, 2 s silence. */
  let spoken: SpeechSpan[] = [];
  let duration = 0;

  beforeAll(async () => {
    const sentences = ['The quarterly report shows revenue grew in every region.', 'Please send your questions to the team before Friday.'];
    const lengths: number[] = [];
    for (const [i, sentence] of sentences.entries()) {
      execFileSync('espeak-ng', ['-w', join(dir, `s${i}.wav`), sentence]);
      lengths.push((await decodeAudio(join(dir, `s${i}.wav`), ffmpeg)).length / SPEECH_SAMPLE_RATE);
    }
    const gaps = [2, 3, 2];
    spoken = [{ start: gaps[0]!, end: gaps[0]! + lengths[0]! }, { start: gaps[0]! + lengths[0]! + gaps[1]!, end: gaps[0]! + lengths[0]! + gaps[1]! + lengths[1]! }];
    duration = spoken[1]!.end + gaps[2]!;
    // The npm ffmpeg (2018) has no anullsrc duration option, so the input's own -t bounds it.
    const silence = (d: number) => ['-f', 'lavfi', '-t', String(d), '-i', 'anullsrc=r=16000:cl=mono'];
    execFileSync(ffmpeg.path, [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=160x120:rate=10:duration=${duration}`,
      ...silence(gaps[0]!), '-i', join(dir, 's0.wav'), ...silence(gaps[1]!), '-i', join(dir, 's1.wav'), ...silence(gaps[2]!),
      '-filter_complex', `${[1, 2, 3, 4, 5].map((i) => `[${i}:a]aresample=16000,aformat=sample_fmts=fltp:channel_layouts=mono[a${i}]`).join(';')};[a1][a2][a3][a4][a5]concat=n=5:v=0:a=1[a]`,
      '-map', '0:v', '-map', '[a]', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', video,
    ]);
    execFileSync(ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10:duration=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', silent]);
  });

  it('decodes the audio to 16 kHz mono float32 samples, as many as the duration holds', async () => {
    const samples = await decodeAudio(video, ffmpeg);
    expect(Math.abs(samples.length / SPEECH_SAMPLE_RATE - duration)).toBeLessThan(0.15);
    expect(samples.subarray(Math.round(spoken[0]!.start * SPEECH_SAMPLE_RATE + 8000)).some((s) => Math.abs(s) > 0.05)).toBe(true);
  });

  it('gives a video without audio no samples and no speech, not an error', async () => {
    expect((await decodeAudio(silent, ffmpeg)).length).toBe(0);
    const notices: string[] = [];
    const texts = await speechTexts(silent, { vad: async () => [{ start: 0, end: 1 }], transcriber: async () => [{ text: 'never', start: 0, end: 1 }], ffmpeg, onNotice: (m) => notices.push(m) });
    expect(texts).toEqual([]);
    expect(notices).toEqual([`${silent}: no audio; ingesting without speech`]);
  });

  it('says in one line which file has audio that cannot be decoded', async () => {
    await expect(decodeAudio(join(dir, 'missing.mp4'), ffmpeg)).rejects.toThrow(/^.*missing\.mp4: its audio cannot be decoded \(.+\)$/);
  });

  describe.skipIf(!haveVad)('with Silero VAD', () => {
    let vad: Vad;
    beforeAll(async () => {
      vad = await openSileroVad(cpuSessions(1), VAD_GRAPH);
    });

    it('finds the spoken parts within half a second and none of the silence', async () => {
      const spans = await vad(await decodeAudio(video, ffmpeg));
      console.log(`VAD spans ${JSON.stringify(spans.map((s) => [+s.start.toFixed(2), +s.end.toFixed(2)]))} vs spoken ${JSON.stringify(spoken.map((s) => [+s.start.toFixed(2), +s.end.toFixed(2)]))}`);
      expect(spans).toHaveLength(2);
      spans.forEach((span, i) => {
        expect(Math.abs(span.start - spoken[i]!.start)).toBeLessThan(0.5);
        expect(Math.abs(span.end - spoken[i]!.end)).toBeLessThan(0.5);
      });
    });

    it('transcribes only the speech windows and places their segments at video time', async () => {
      const calls: { offset: number; seconds: number }[] = [];
      // Our own port as a plain function: one segment per window, its words in the window's own time.
      const transcriber: Transcriber = async (samples, offset) => {
        calls.push({ offset, seconds: samples.length / SPEECH_SAMPLE_RATE });
        return [{ text: ` window ${calls.length} `, start: offset, end: offset + samples.length / SPEECH_SAMPLE_RATE }, { text: '  ', start: offset, end: offset }];
      };
      const texts = await speechTexts(video, { vad, transcriber, ffmpeg, onNotice: (m) => expect.fail(m) });
      // The two sentences are 3 s apart and short, so they share one window that starts and ends near the words.
      expect(calls).toHaveLength(1);
      expect(Math.abs(calls[0]!.offset - spoken[0]!.start)).toBeLessThan(0.5);
      expect(Math.abs(calls[0]!.offset + calls[0]!.seconds - spoken[1]!.end)).toBeLessThan(0.5);
      expect(texts).toEqual([{ channel: 'speech', text: 'window 1', start: calls[0]!.offset, end: calls[0]!.offset + calls[0]!.seconds }]);
    });

    it('vidmem ingest --asr stores what Whisper wrote as speech text at video time, found by search', async () => {
      const whisper = writeTinyWhisper(join(dir, 'tiny-whisper'));
      const store = join(dir, 'asr-store');
      const ingest = await vidmem(['ingest', video, '--store', store, '--model', 'palette', '--asr', whisper, '--vad', VAD_GRAPH, '--json']);
      expect(ingest).toMatchObject({ code: 0, stderr: '' });
      // The two sentences share one window, which starts where the VAD heard the first.
      expect(JSON.parse(ingest.stdout)).toMatchObject({ speechTexts: 2 });
      const search = await vidmem(['search', 'hello world', '--store', store, '--json']);
      const [hit] = JSON.parse(search.stdout).results;
      // A moment found by its words is as long as they were spoken.
      expect(hit.text[0]).toMatchObject({ channel: 'speech', text: 'hello world', start: hit.start, end: hit.end });
      expect(Math.abs(hit.text[0].start - (spoken[0]!.start + 0.5))).toBeLessThan(0.5);
      expect(hit.text[0].end - hit.text[0].start).toBeCloseTo(1, 5);
    });

    it('vidmem ingest --asr without --vad says what it needs, before reading anything', async () => {
      const store = join(dir, 'no-vad-store');
      expect(await vidmem(['ingest', video, '--store', store, '--model', 'palette', '--asr', 'onnx-community/whisper-base'])).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/^vidmem: --asr needs --vad FILE: Silero VAD's silero_vad\.onnx .*\n/),
      });
      expect(existsSync(store)).toBe(false);
    });

    it('never sends silence alone to the transcriber', async () => {
      const samples = new Float32Array(5 * SPEECH_SAMPLE_RATE);
      expect(await vad(samples)).toEqual([]);
    });
  });
});
