// Time as the shared module sees it: injected, so tests drive token refreshes and reconnect backoff
// with a clock of their own, and the browser's timers by default.

export type TimerHandle = unknown;

export interface Clock {
  /** Epoch ms. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

// Browsers run a timer of more than 2^31 - 1 ms at once; nothing here waits that long, but a clock
// skewed by days must not turn "refresh in a month" into "refresh now, forever".
export const MAX_TIMER_MS = 2 ** 31 - 1;
