// A clock the test moves by hand: timers fire in time order as advance() passes them.
import type { Clock, TimerHandle } from '../../src/shared/clock.js';

export class ManualClock implements Clock {
  private timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;

  constructor(private time = Date.UTC(2026, 11, 7, 8, 0, 0)) {}

  now = (): number => this.time;

  setTimeout = (callback: () => void, ms: number): TimerHandle => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  };

  clearTimeout = (handle: TimerHandle): void => {
    this.timers.delete(handle as number);
  };

  /** When the next timer fires, or undefined when none is set. */
  get nextAt(): number | undefined {
    const ats = [...this.timers.values()].map((t) => t.at);
    return ats.length > 0 ? Math.min(...ats) : undefined;
  }

  /** Moves time forward by ms, firing each timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = end;
  }
}
