// Deliveries accepted but not completed, on disk (with --data-dir): when PutEvents dispatches an
// event to a rule, one line names the event (the envelope), the rule, its targets and when it was
// accepted; when a target's delivery ends (delivered, dead-lettered or dropped after its retries),
// one line says so. At start what was accepted and not ended is delivered again, once the rule and
// its target exist again (its stack deployed): at least once, as AWS promises, the retry policy's
// event age counting from the put. The file is rewritten at start to what is still pending.
import { closeSync, openSync } from 'node:fs';
import { readJsonLines } from '../../jsonl.js';
import { writeRecord } from '../../crash-hook.js';
import { writeFileAtomic } from '../states/journal.js';
import type { EventEnvelope } from './model.js';

export interface PendingDelivery {
  event: EventEnvelope;
  bus: string;
  ruleArn: string;
  /** Target ids not delivered yet. */
  targets: string[];
  acceptedAt: number;
}

type Line =
  | { accepted: { event: EventEnvelope; bus: string; ruleArn: string; targets: string[]; acceptedAt: number } }
  | { ended: [eventId: string, ruleArn: string, targetId: string] };

const key = (eventId: string, ruleArn: string) => `${eventId} ${ruleArn}`;

export class PendingDeliveries {
  private fd: number;
  private closed = false;
  private readonly pending = new Map<string, PendingDelivery>();
  /** What was pending when the file was opened: to deliver again. */
  readonly restored: PendingDelivery[];

  constructor(private readonly file: string) {
    // A line a crash cut short is skipped: the delivery it would have ended is delivered again.
    for (const line of readJsonLines<Line>(file, () => {})) {
      if ('accepted' in line)
        this.pending.set(key(line.accepted.event.id, line.accepted.ruleArn), { ...line.accepted });
      else this.end(...line.ended);
    }
    this.restored = [...this.pending.values()];
    writeFileAtomic(
      file,
      this.restored.map((p) => JSON.stringify({ accepted: p } satisfies Line) + '\n'),
    );
    this.fd = openSync(file, 'a');
  }

  /** An event was dispatched to a rule's targets (before PutEvents answers). */
  accepted(event: EventEnvelope, bus: string, ruleArn: string, targets: string[], acceptedAt: number): void {
    const delivery = { event, bus, ruleArn, targets: [...targets], acceptedAt };
    this.write({ accepted: delivery }, 'accepted');
    this.pending.set(key(event.id, ruleArn), delivery);
  }

  /** A target's delivery ended (delivered, dead-lettered or dropped). */
  ended(eventId: string, ruleArn: string, targetId: string): void {
    if (!this.end(eventId, ruleArn, targetId)) return;
    this.write({ ended: [eventId, ruleArn, targetId] }, 'ended');
  }

  get size(): number {
    return this.pending.size;
  }

  /** Stops writing: a delivery that ends after this (the cloud stopping) stays pending, and goes again at the next start. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private end(eventId: string, ruleArn: string, targetId: string): boolean {
    const k = key(eventId, ruleArn);
    const delivery = this.pending.get(k);
    if (!delivery || !delivery.targets.includes(targetId)) return false;
    delivery.targets = delivery.targets.filter((t) => t !== targetId);
    if (delivery.targets.length === 0) this.pending.delete(k);
    return true;
  }

  private write(line: Line, kind: string): void {
    if (this.closed) return;
    writeRecord(this.fd, 'events', kind, JSON.stringify(line) + '\n');
  }
}
