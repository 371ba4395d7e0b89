/**
 * Whisper's input: the log-mel spectrogram of 30 s of 16 kHz audio, computed as OpenAI's
 * `whisper/audio.py` and transformers' WhisperFeatureExtractor do (400-sample Hann window, hop
 * 160, centred with reflection, power spectrum, Slaney mel filters, log10 clamped to 8 below the
 * peak, scaled to about -1..1). Written here because it is a few loops, and the libraries that
 * have it bring a second inference runtime with them.
 */
import { SPEECH_SAMPLE_RATE } from '../core/speech-audio.js';

export const N_FFT = 400;
export const HOP = 160;
/** 30 s of audio, what the encoder always reads: shorter windows are padded with silence. */
export const WINDOW_SAMPLES = 30 * SPEECH_SAMPLE_RATE;
export const FRAMES = WINDOW_SAMPLES / HOP;
const BINS = N_FFT / 2 + 1;

const hzToMel = (hz: number): number => (hz < 1000 ? (3 * hz) / 200 : 15 + Math.log(hz / 1000) / (Math.log(6.4) / 27));
const melToHz = (mel: number): number => (mel < 15 ? (200 * mel) / 3 : 1000 * Math.exp((Math.log(6.4) / 27) * (mel - 15)));

/** librosa.filters.mel(sr=16000, n_fft=400, n_mels) with its defaults (Slaney scale and area norm): [nMels][201]. */
export function melFilters(nMels: number): Float32Array[] {
  const top = hzToMel(SPEECH_SAMPLE_RATE / 2);
  const points = Array.from({ length: nMels + 2 }, (_, i) => melToHz((top * i) / (nMels + 1)));
  return Array.from({ length: nMels }, (_, m) => {
    const [lo, mid, hi] = [points[m]!, points[m + 1]!, points[m + 2]!];
    const row = new Float32Array(BINS);
    for (let k = 0; k < BINS; k++) {
      const hz = (k * SPEECH_SAMPLE_RATE) / N_FFT;
      const weight = Math.max(0, Math.min((hz - lo) / (mid - lo), (hi - hz) / (hi - mid)));
      row[k] = (weight * 2) / (hi - lo);
    }
    return row;
  });
}

/** Twiddles of the 400-point DFT, for the 201 bins of a real signal. */
const { cos, sin, hann } = (() => {
  const c = new Float32Array(BINS * N_FFT);
  const s = new Float32Array(BINS * N_FFT);
  for (let k = 0; k < BINS; k++) {
    for (let n = 0; n < N_FFT; n++) {
      const angle = (2 * Math.PI * ((k * n) % N_FFT)) / N_FFT;
      c[k * N_FFT + n] = Math.cos(angle);
      s[k * N_FFT + n] = Math.sin(angle);
    }
  }
  // torch.hann_window is periodic.
  const w = Float32Array.from({ length: N_FFT }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / N_FFT));
  return { cos: c, sin: s, hann: w };
})();

/** Up to 30 s of samples → features [nMels][3000], flattened row by row as the encoder reads them. */
export function logMel(samples: Float32Array, filters: readonly Float32Array[]): Float32Array {
  const nMels = filters.length;
  const audio = new Float32Array(WINDOW_SAMPLES);
  audio.set(samples.subarray(0, WINDOW_SAMPLES));
  const pad = N_FFT / 2;
  const at = (i: number): number => audio[i < 0 ? -i : i >= WINDOW_SAMPLES ? 2 * (WINDOW_SAMPLES - 1) - i : i]!;
  const features = new Float32Array(nMels * FRAMES);
  const frame = new Float32Array(N_FFT);
  const power = new Float32Array(BINS);
  // Past the audio the window is silence: its frames are all zero power, and skipping their DFT
  // is most of the work for a short window.
  const lastSounding = Math.min(FRAMES, Math.ceil((samples.length + pad) / HOP) + 1);
  for (let t = 0; t < FRAMES; t++) {
    power.fill(0);
    if (t < lastSounding) {
      for (let n = 0; n < N_FFT; n++) frame[n] = at(t * HOP + n - pad) * hann[n]!;
      for (let k = 0; k < BINS; k++) {
        let re = 0;
        let im = 0;
        const row = k * N_FFT;
        for (let n = 0; n < N_FFT; n++) {
          re += frame[n]! * cos[row + n]!;
          im -= frame[n]! * sin[row + n]!;
        }
        power[k] = re * re + im * im;
      }
    }
    for (let m = 0; m < nMels; m++) {
      const filter = filters[m]!;
      let sum = 0;
      for (let k = 0; k < BINS; k++) sum += filter[k]! * power[k]!;
      features[m * FRAMES + t] = Math.log10(Math.max(sum, 1e-10));
    }
  }
  let peak = -Infinity;
  for (const value of features) peak = Math.max(peak, value);
  for (let i = 0; i < features.length; i++) features[i] = (Math.max(features[i]!, peak - 8) + 4) / 4;
  return features;
}
