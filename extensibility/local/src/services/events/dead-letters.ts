// Events a target could not take after its retries, kept with why, so they can be listed
// (`presso dlq`) and redriven. A DeadLetterConfig naming a queue that exists locally sends them to
// that SQS queue (delivery.ts); this store keeps those whose queue does not exist here, keyed by
// the queue ARN the target names. With --data-dir they are kept in <data-dir>/events/dead-letters.json.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../states/journal.js';
import type { EventEnvelope } from './model.js';

export interface DeadLetter {
  id: string;
  queueArn: string;
  busName: string;
  ruleName: string;
  ruleArn: string;
  targetId: string;
  targetArn: string;
  event: EventEnvelope;
  errorCode: string;
  errorMessage: string;
  attempts: number;
  time: string;
}

export class DeadLetters {
  private readonly letters = new Map<string, DeadLetter>();
  private file: string | undefined;

  /**
   * Keeps the letters in `file` (with --data-dir): read back now, rewritten (temporary file, synced,
   * renamed) after every change, so they outlive a restart and a crash.
   */
  persist(file: string): void {
    this.file = file;
    if (existsSync(file)) {
      const kept = JSON.parse(readFileSync(file, 'utf8')) as { letters?: DeadLetter[] };
      for (const letter of kept.letters ?? []) this.letters.set(letter.id, letter);
    }
  }

  private save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, [JSON.stringify({ letters: [...this.letters.values()] }) + '\n']);
  }

  add(letter: Omit<DeadLetter, 'id' | 'time'>): DeadLetter {
    const stored = { ...letter, id: randomUUID(), time: new Date().toISOString() };
    this.letters.set(stored.id, stored);
    this.save();
    return stored;
  }

  list(queueArn?: string): DeadLetter[] {
    return [...this.letters.values()].filter((l) => !queueArn || l.queueArn === queueArn);
  }

  take(id: string): DeadLetter | undefined {
    const letter = this.letters.get(id);
    if (this.letters.delete(id)) this.save();
    return letter;
  }
}
