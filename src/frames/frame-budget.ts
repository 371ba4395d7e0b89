import type { Backpressure } from '../core/ports/backpressure.js';

/**
 * Bounds the number of decoded frames that hold pixels between ffmpeg's pipe and the encoder:
 * the source pauses ffmpeg's stdout while the budget is spent, ffmpeg then blocks on a full pipe,
 * and memory stays flat on hour-long inputs.
 */
export class FrameBudget implements Backpressure {
  private inFlight = 0;
  private waiters: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`frame budget must be at least 1, got ${limit}`);
  }

  get exhausted(): boolean {
    return this.inFlight >= this.limit;
  }

  get used(): number {
    return this.inFlight;
  }

  take(): void {
    this.inFlight += 1;
  }

  release(count = 1): void {
    this.inFlight = Math.max(0, this.inFlight - count);
    if (this.exhausted) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resume of waiters) resume();
  }

  whenAvailable(resume: () => void): void {
    if (this.exhausted) this.waiters.push(resume);
    else resume();
  }
}
