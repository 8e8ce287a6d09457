// Lambda's asynchronous invocations accepted and not done, on disk (with --data-dir): one line when
// an invocation is accepted (before the Invoke API answers 202, before a rule's delivery or a
// schedule counts it as handed over), one when a failed attempt schedules its retry (the attempts
// made and when the retry is due), one when it is done (succeeded, sent to its dead-letter queue or
// OnFailure destination, or dropped). At start what was not done goes on once its function is
// deployed again: a retry waits what remained of its interval, an invocation that was running runs
// again (at least once, as Lambda promises), and the event's age counts from when it was first
// accepted. The file is rewritten at start to what is still pending.
import { closeSync, openSync } from 'node:fs';
import { readJsonLines } from '../../jsonl.js';
import { writeRecord } from '../../crash-hook.js';
import { writeFileAtomic } from '../states/journal.js';

export interface AsyncInvocation {
  requestId: string;
  functionName: string;
  event: unknown;
  /** Wall-clock milliseconds when Lambda first accepted it. */
  acceptedAt: number;
  /** Attempts made so far. */
  attempts: number;
  /**
   * A retry waiting: when it was scheduled (wall clock) and its interval (local milliseconds, on the
   * time scale); after a restart it waits what is left, the time since counted at the new speed.
   */
  retry?: { scheduledAt: number; delay: number };
}

type Line =
  | { accepted: AsyncInvocation }
  | { retry: [requestId: string, attempts: number, scheduledAt: number, delay: number] }
  | { ended: string };

export class AsyncStore {
  private fd: number;
  private closed = false;
  private readonly pending = new Map<string, AsyncInvocation>();
  /** What was pending when the file was opened: to go on with. */
  readonly restored: AsyncInvocation[];

  constructor(
    private readonly file: string,
    private readonly log: (line: string) => void = () => {},
  ) {
    // A line a crash cut short: an accepted one was never acknowledged; an end or a retry is redone.
    const torn = () => this.log(`[lambda] ${file}: a half-written record (a crash cut it short) was skipped`);
    for (const line of readJsonLines<Line>(file, torn)) {
      if ('accepted' in line) this.pending.set(line.accepted.requestId, line.accepted);
      else if ('retry' in line) {
        const invocation = this.pending.get(line.retry[0]);
        if (invocation)
          Object.assign(invocation, {
            attempts: line.retry[1],
            retry: { scheduledAt: line.retry[2], delay: line.retry[3] },
          });
      } else this.pending.delete(line.ended);
    }
    this.restored = [...this.pending.values()];
    writeFileAtomic(
      file,
      this.restored.map((accepted) => JSON.stringify({ accepted } satisfies Line) + '\n'),
    );
    this.fd = openSync(file, 'a');
  }

  /** Accepted: written before the caller is answered (throws when the write fails: nothing was accepted). */
  accepted(invocation: AsyncInvocation): void {
    this.write({ accepted: invocation }, 'accepted');
    this.pending.set(invocation.requestId, invocation);
  }

  /** A failed attempt: the next is due `delay` local milliseconds from now. */
  retrying(requestId: string, attempts: number, delay: number): void {
    if (!this.pending.has(requestId)) return;
    this.write({ retry: [requestId, attempts, Date.now(), delay] }, 'retry');
  }

  ended(requestId: string): void {
    if (!this.pending.delete(requestId)) return;
    this.write({ ended: requestId }, 'ended');
  }

  get size(): number {
    return this.pending.size;
  }

  /** Stops writing: an invocation that ends after this (the cloud stopping) stays pending and goes on at the next start. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private write(line: Line, record: string): void {
    if (this.closed) return;
    writeRecord(this.fd, 'lambda', record, JSON.stringify(line) + '\n');
  }
}
