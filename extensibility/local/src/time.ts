// Time scale: the local cloud divides waits, timeouts, heartbeats and retry intervals by `speed`, so
// a 15-minute timeout can be tested in a second; timestamps the apps see stay real.
export interface TimeScale {
  readonly speed: number;
  /** Real milliseconds to wait for `ms` of simulated time. */
  scaled(ms: number): number;
  /** Waits `ms` of simulated time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function timeScale(speed = 1): TimeScale {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`speed must be a positive number, got ${speed}`);
  const scaled = (ms: number) => ms / speed;
  return {
    speed,
    scaled,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason as Error);
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, scaled(ms));
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason as Error);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
  };
}
