// Time for the engine. Every duration the machine asks for (Wait, task timeouts, heartbeats, retry
// intervals, the execution timeout) goes through schedule(), in machine milliseconds; the scaled
// clock divides it by `speed` for the real timer. now() stays wall time, which is what the machine
// sees in $$.State.EnteredTime, $$.Execution.StartTime and Wait Timestamp comparisons.

export interface TimerHandle {
  cancel(): void;
}

export interface EngineClock {
  /** Real time runs `speed` times slower than machine time (1 = real time). */
  readonly speed: number;
  /** Epoch milliseconds the machine sees. */
  now(): number;
  /** Runs `fn` after `machineMs` of machine time. */
  schedule(machineMs: number, fn: () => void): TimerHandle;
}

export interface ScaledClockOptions {
  /** Machine seconds per real second; durations are divided by it. Default 1. */
  speed?: number;
  /** Wall time source (default Date.now). */
  now?: () => number;
}

// setTimeout overflows past 2^31-1 ms; longer waits (a Wait of weeks at speed 1) are chained.
const MAX_TIMER_MS = 2_147_483_647;

export function createScaledClock(options: ScaledClockOptions = {}): EngineClock {
  const speed = options.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
  const now = options.now ?? Date.now;
  return {
    speed,
    now,
    schedule(machineMs: number, fn: () => void): TimerHandle {
      let remaining = Math.max(0, machineMs) / speed;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let cancelled = false;
      const arm = (): void => {
        const step = Math.min(remaining, MAX_TIMER_MS);
        remaining -= step;
        timer = setTimeout(() => {
          if (cancelled) return;
          if (remaining > 0) arm();
          else fn();
        }, step);
      };
      arm();
      return {
        cancel() {
          cancelled = true;
          if (timer !== undefined) clearTimeout(timer);
        },
      };
    },
  };
}

/** A clock whose time moves only when advance() is called: for tests that want exact timing. */
export interface ManualClock extends EngineClock {
  /** Moves time forward, firing due timers in order and letting the engine react after each. */
  advance(machineMs: number): Promise<void>;
  /** Timers not yet fired. */
  pendingTimers(): number;
  /** Lets queued promise work run (the engine's reaction to an API call, say). */
  settle(): Promise<void>;
}

export function createManualClock(startMs: number = Date.now()): ManualClock {
  let current = startMs;
  let sequence = 0;
  const timers = new Map<number, { due: number; seq: number; fn: () => void }>();
  const settle = async (): Promise<void> => {
    // Promise chains finish before the next macrotask; a few turns cover chains that await timers of 0.
    for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return {
    speed: 1,
    now: () => current,
    schedule(machineMs: number, fn: () => void): TimerHandle {
      const seq = ++sequence;
      timers.set(seq, { due: current + Math.max(0, machineMs), seq, fn });
      return { cancel: () => void timers.delete(seq) };
    },
    pendingTimers: () => timers.size,
    settle,
    async advance(machineMs: number): Promise<void> {
      const target = current + machineMs;
      await settle();
      for (;;) {
        let next: { due: number; seq: number; fn: () => void } | undefined;
        for (const timer of timers.values()) {
          if (
            timer.due <= target &&
            (next === undefined || timer.due < next.due || (timer.due === next.due && timer.seq < next.seq))
          )
            next = timer;
        }
        if (next === undefined) break;
        timers.delete(next.seq);
        current = Math.max(current, next.due);
        next.fn();
        await settle();
      }
      current = target;
      await settle();
    },
  };
}

/** A promise that resolves after `machineMs`, or rejects with `onAbort()` when the signal aborts. */
export function sleep(clock: EngineClock, machineMs: number, signal: AbortSignal, onAbort: () => Error): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(onAbort());
      return;
    }
    const abort = (): void => {
      timer.cancel();
      reject(onAbort());
    };
    const timer = clock.schedule(machineMs, () => {
      signal.removeEventListener('abort', abort);
      resolve();
    });
    signal.addEventListener('abort', abort, { once: true });
  });
}
