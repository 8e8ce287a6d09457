// Awaiting a condition in a test: a bounded poll, never a sleep on luck.

export interface UntilOptions {
  /** How long to poll before failing (default 10 s). */
  ms?: number;
  /** What to add to the failure, e.g. the cloud's last log lines. */
  detail?: () => string;
}

/**
 * Polls `check` every 10 ms until it gives a value other than undefined, null or false, and returns
 * that value; fails naming `what` once `ms` have passed.
 */
export async function until<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  { ms = 10_000, detail }: UntilOptions = {},
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
