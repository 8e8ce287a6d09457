// A test hook for fault tests: PRESSO_TEST_KILL_AFTER=<store>:<record>[:<n>][:torn] makes the process
// kill itself with SIGKILL (as `kill -9` does: no handler runs, nothing is flushed or closed) right
// after it wrote the n-th record (default 1st) of that kind to that store, or, with `torn`, after it
// wrote only the first half of that record (a write a crash cut short). Stores and records:
// `states:<HistoryEventType>` (a Step Functions execution's journal, e.g. `states:TaskSubmitted`),
// `states:marker`. Without the variable, nothing happens (one lookup per write).
import { writeSync } from 'node:fs';

export interface CrashPoint {
  /** Whether to write only half of this record and die. */
  torn: boolean;
}

interface Hook {
  store: string;
  record: string;
  nth: number;
  torn: boolean;
  seen: number;
}

let hook: Hook | undefined | null = null;

function parse(): Hook | undefined {
  const value = process.env.PRESSO_TEST_KILL_AFTER;
  if (!value) return undefined;
  const [store = '', record = '', ...rest] = value.split(':');
  const nth = Number(rest.find((p) => /^\d+$/.test(p)) ?? 1);
  return { store, record, nth, torn: rest.includes('torn'), seen: 0 };
}

/** Whether this write is the chosen one: `undefined` (write on), or how to die around it. */
export function crashPoint(store: string, record: string): CrashPoint | undefined {
  if (hook === null) hook = parse();
  if (!hook || hook.store !== store || hook.record !== record) return undefined;
  hook.seen++;
  return hook.seen === hook.nth ? { torn: hook.torn } : undefined;
}

/** Dies as `kill -9` kills. */
export function crashNow(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is not delivered synchronously everywhere; nothing may run after this point.
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
}

// A second hook, for a full disk: PRESSO_TEST_FAIL_WRITE=<store>:<record>[:<n>] makes the n-th write
// (default 1st) of that record fail with ENOSPC, as a write to a full disk does, without writing
// anything; the writes after it succeed again (space was freed).
// The variable is read at each write, so a test in the process can arm it (counting starts again
// when its value changes).
let failHook: Hook | undefined;
let failValue: string | undefined;

/** Whether this write is the one to fail with ENOSPC. */
export function failPoint(store: string, record: string): boolean {
  const value = process.env.PRESSO_TEST_FAIL_WRITE;
  if (value !== failValue) {
    failValue = value;
    const [s = '', r = '', n] = value ? value.split(':') : [];
    failHook = value ? { store: s, record: r, nth: Number(n ?? 1), torn: false, seen: 0 } : undefined;
  }
  if (!failHook || failHook.store !== store || failHook.record !== record) return false;
  failHook.seen++;
  return failHook.seen === failHook.nth;
}

/** The error a write to a full disk throws. */
export function noSpaceError(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
    errno: -28,
    syscall: 'write',
  });
}

/**
 * Appends one record (a line) to a journal's file descriptor, through both test hooks: it fails with
 * ENOSPC at the chosen write (nothing written), or the process dies right after (or halfway through)
 * the chosen record.
 */
export function writeRecord(fd: number, store: string, record: string, line: string): void {
  if (failPoint(store, record)) throw noSpaceError();
  const crash = crashPoint(store, record);
  if (crash?.torn) {
    writeSync(fd, line.slice(0, Math.floor(line.length / 2)));
    crashNow();
  }
  writeSync(fd, line);
  if (crash) crashNow();
}
