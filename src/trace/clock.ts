/**
 * Clocks give every written event its integer-millisecond `timestamp`.
 * The recorder reads the clock exactly once per event.
 *
 * @module
 */

/** A source of integer millisecond timestamps. */
export interface Clock {
  /** The current time in integer milliseconds since the Unix epoch. */
  now(): number;
}

/**
 * The wall clock (`Date.now()`).
 *
 * @example
 * ```ts
 * import { SystemClock } from "@assay-it/sdk";
 * const t: number = new SystemClock().now();
 * ```
 */
export class SystemClock implements Clock {
  /** Current time from `Date.now()`. */
  now(): number {
    return Date.now();
  }
}

/**
 * A deterministic clock for byte-identical recordings: it returns `tMs`,
 * then `tMs + stepMs`, `tMs + 2 * stepMs`, ... one tick per read.
 *
 * @example
 * ```ts
 * import { FrozenClock } from "@assay-it/sdk";
 * const clock = new FrozenClock(0, 1);
 * clock.now(); // 0
 * clock.now(); // 1
 * ```
 */
export class FrozenClock implements Clock {
  #next: number;
  readonly #step: number;

  constructor(tMs = 1_700_000_000_000, stepMs = 1) {
    if (!Number.isSafeInteger(tMs) || !Number.isSafeInteger(stepMs) || stepMs < 0) {
      throw new RangeError(
        `FrozenClock needs integer milliseconds and a step >= 0, got (${tMs}, ${stepMs})`,
      );
    }
    this.#next = tMs;
    this.#step = stepMs;
  }

  /** Returns the next tick. */
  now(): number {
    const t = this.#next;
    this.#next += this.#step;
    return t;
  }
}
