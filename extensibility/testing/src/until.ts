// The one bounded poll of the repo's tests: awaiting a condition, never a sleep on luck. This module
// imports nothing (least of all the local cloud), so the local cloud's own tests use it too.

export interface UntilOptions {
  /** How long to poll before failing (default 15 s). */
  ms?: number;
  /** What to add to the failure, e.g. the cloud's last log lines or the last events. */
  detail?: () => string;
}

/**
 * Polls `check` every 20 ms until it gives a value other than undefined, null or false, and returns
 * that value; once `ms` have passed it rejects, naming `what` it waited for (and `detail()`). An error
 * thrown by `check` rejects at once.
 */
export async function until<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { ms = 15_000, detail }: UntilOptions = {},
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
