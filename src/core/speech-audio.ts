/**
 * The audio every speech block reads: mono float32 samples at 16 kHz, the rate Whisper and
 * Silero VAD were trained on, so the audio is decoded once at that rate and never resampled.
 */
export const SPEECH_SAMPLE_RATE = 16000;
