/**
 * How a frame source learns that the stages after it are behind. RxJS is push-based, so
 * backpressure on a file is explicit: the source takes a unit per frame it delivers and waits
 * while none is left; the stages give units back as they finish with frames.
 */
export interface Backpressure {
  readonly exhausted: boolean;
  take(): void;
  release(count?: number): void;
  /** Calls `resume` once units are available again (at once if they already are). */
  whenAvailable(resume: () => void): void;
}
