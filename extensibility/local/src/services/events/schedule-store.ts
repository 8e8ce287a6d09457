// Schedules keep their times over a restart and a crash when the data directory is the user's own
// (--data-dir): for each schedule (a rule's rate()/cron(), an EventBridge Scheduler schedule, by
// ARN) a line is appended to <data-dir>/schedules/times.jsonl when it starts and each time it
// fires: its expression, the time its rate counts from, the last scheduled time it handled and the
// real time of the write. At the next start the schedule goes on from there: a rate keeps its
// times, the schedule's clock (simulated, --speed) goes on from where it was (the time the cloud
// was down counted at the new speed), and of the times missed while down the latest fires once at
// start if the schedule's flexible time window still allows it; otherwise they are skipped.
// Deleting a schedule forgets it. The file is rewritten at start to one line per schedule.
import { closeSync, openSync } from 'node:fs';
import { readJsonLines } from '../../jsonl.js';
import { writeRecord } from '../../crash-hook.js';
import { writeFileAtomic } from '../states/journal.js';

export interface KeptSchedule {
  expression: string;
  /** Simulated ms a rate counts from. */
  anchor: number;
  /** Simulated ms up to which every scheduled time was handled (fired, or skipped). */
  upTo: number;
  /** Real ms when this was written. */
  wall: number;
}

type Line = { k: string } & (KeptSchedule | { forget: 1 });

export class ScheduleStore {
  private fd: number;
  private closed = false;
  private readonly kept = new Map<string, KeptSchedule>();
  /** Keys of the schedules kept from before the restart that started again. */
  private readonly resumedKeys = new Set<string>();
  private readonly fromBefore: Set<string>;

  constructor(
    private readonly file: string,
    private readonly log: (line: string) => void = () => {},
  ) {
    const torn = () => this.log(`[schedules] ${file}: a half-written record (a crash cut it short) was skipped`);
    for (const line of readJsonLines<Line>(file, torn)) {
      if ('forget' in line) this.kept.delete(line.k);
      else
        this.kept.set(line.k, { expression: line.expression, anchor: line.anchor, upTo: line.upTo, wall: line.wall });
    }
    this.fromBefore = new Set(this.kept.keys());
    writeFileAtomic(
      file,
      [...this.kept].map(([k, kept]) => JSON.stringify({ k, ...kept } satisfies Line) + '\n'),
    );
    this.fd = openSync(file, 'a');
  }

  /** What was kept for this schedule, if it has the same expression. */
  get(key: string, expression: string): KeptSchedule | undefined {
    const kept = this.kept.get(key);
    if (!kept || kept.expression !== expression) return undefined;
    if (this.fromBefore.delete(key)) this.resumedKeys.add(key);
    return kept;
  }

  /** Schedules kept from before the restart that went on. */
  get resumed(): number {
    return this.resumedKeys.size;
  }

  save(key: string, kept: KeptSchedule): void {
    if (this.closed) return;
    this.kept.set(key, kept);
    try {
      writeRecord(this.fd, 'schedules', 'fired', JSON.stringify({ k: key, ...kept } satisfies Line) + '\n');
    } catch (e) {
      // A full disk: the schedule goes on; after a restart it goes on from the last time written.
      this.log(`[schedules] ${this.file}: ${(e as Error).message}`);
    }
  }

  forget(key: string): void {
    if (this.closed || !this.kept.delete(key)) return;
    try {
      writeRecord(this.fd, 'schedules', 'forget', JSON.stringify({ k: key, forget: 1 } satisfies Line) + '\n');
    } catch (e) {
      this.log(`[schedules] ${this.file}: ${(e as Error).message}`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
