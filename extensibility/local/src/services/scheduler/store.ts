// Scheduler schedules made through the API outlive a restart with --data-dir: CreateSchedule and
// UpdateSchedule append the schedule's request (with its creation date) to
// <data-dir>/scheduler/schedules.jsonl, DeleteSchedule (and a one-time schedule deleted after it ran)
// its name, one line each, before the schedule changes (so before the call answers; a write that
// fails refuses the call). At start the schedules are made again; their times go on through the
// schedule store (schedules/times.jsonl). A stack's schedules are not written: its deploy makes them.
// A last line a crash cut short is skipped; the file is rewritten at start to what is held.
import { closeSync, openSync } from 'node:fs';
import { readJsonLines } from '../../jsonl.js';
import { writeRecord } from '../../crash-hook.js';
import { AwsError } from '../../edge/errors.js';
import { writeFileAtomic } from '../states/journal.js';
import type { CreateScheduleInput } from './service.js';

/** A schedule's request as it was made, and when it was first created (epoch ms). */
export interface KeptSchedule {
  input: CreateScheduleInput;
  created: number;
}

type Line = { put: KeptSchedule } | { del: string };

const keyOf = (input: CreateScheduleInput) => `${input.GroupName ?? 'default'}/${input.Name}`;

export class SchedulesStore {
  private fd: number;
  private closed = false;
  private readonly held = new Map<string, KeptSchedule>();
  /** The schedules read back at start. */
  readonly restored: KeptSchedule[];

  constructor(
    private readonly file: string,
    private readonly log: (line: string) => void = () => {},
  ) {
    const torn = (lineNumber: number) =>
      log(
        `[scheduler] ${file}: a half-written record on line ${lineNumber} (a crash cut it short) was skipped: the change it held is lost, as if it had not been made`,
      );
    for (const line of readJsonLines<Line>(file, torn)) {
      if ('put' in line) this.held.set(keyOf(line.put.input), line.put);
      else this.held.delete(line.del);
    }
    this.restored = [...this.held.values()];
    writeFileAtomic(
      file,
      this.restored.map((put) => JSON.stringify({ put } satisfies Line) + '\n'),
    );
    this.fd = openSync(file, 'a');
  }

  /** Whether a schedule of that group and name was made through the API. */
  has(groupName: string, name: string): boolean {
    return this.held.has(`${groupName}/${name}`);
  }

  /** A schedule made or updated through the API, before it is. */
  put(kept: KeptSchedule, operation: 'CreateSchedule' | 'UpdateSchedule'): void {
    this.write({ put: kept }, operation);
    this.held.set(keyOf(kept.input), kept);
  }

  /** A schedule made through the API deleted, before it is. */
  delete(groupName: string, name: string): void {
    const key = `${groupName}/${name}`;
    if (!this.held.has(key)) return;
    this.write({ del: key }, 'DeleteSchedule');
    this.held.delete(key);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private write(line: Line, operation: string): void {
    if (this.closed) return;
    try {
      writeRecord(this.fd, 'scheduler', operation, JSON.stringify(line) + '\n');
    } catch (e) {
      const error = e as NodeJS.ErrnoException;
      this.log(`[scheduler] ${this.file}: a write failed (${error.message}): ${operation} was refused`);
      throw new AwsError(
        'InternalServerException',
        `The local cloud could not write ${operation} to ${this.file} (${error.code ?? error.message}), so nothing was changed: free space on that disk and call it again.`,
        500,
      );
    }
  }
}
