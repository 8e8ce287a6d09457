// Events a target could not take after its retries, kept with why, so they can be listed
// (`presso dlq`) and redriven. A DeadLetterConfig naming a queue that exists locally sends them to
// that SQS queue (delivery.ts); this store keeps those whose queue does not exist here, keyed by
// the queue ARN the target names.
import { randomUUID } from 'node:crypto';
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

  add(letter: Omit<DeadLetter, 'id' | 'time'>): DeadLetter {
    const stored = { ...letter, id: randomUUID(), time: new Date().toISOString() };
    this.letters.set(stored.id, stored);
    return stored;
  }

  list(queueArn?: string): DeadLetter[] {
    return [...this.letters.values()].filter((l) => !queueArn || l.queueArn === queueArn);
  }

  take(id: string): DeadLetter | undefined {
    const letter = this.letters.get(id);
    this.letters.delete(id);
    return letter;
  }
}
