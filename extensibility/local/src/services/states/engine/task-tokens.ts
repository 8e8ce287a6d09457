// Task tokens of callback tasks (.waitForTaskToken): the engine hands them out, a task waits on its
// token, and sendTaskSuccess / sendTaskFailure / sendTaskHeartbeat land here. An unknown token is
// told apart from one that is no longer pending, as the service does (InvalidToken vs TaskTimedOut).
import { randomBytes, randomUUID } from 'node:crypto';
import { SfnApiError } from './errors.js';
import type { CallbackHandlers, CallbackRegistry } from './execution.js';

const TOKEN_PREFIX = 'sfn-local:';

export class TaskTokens implements CallbackRegistry {
  private readonly pending = new Map<string, CallbackHandlers>();
  /** The execution each pending token belongs to: IAM authorizes a callback on its state machine. */
  private readonly executions = new Map<string, string>();

  create(executionArn: string): string {
    // Opaque like the service's tokens; the prefix lets us tell "never ours" from "no longer pending".
    const payload = `${TOKEN_PREFIX}${randomUUID()}:${executionArn.length}:${randomBytes(12).toString('hex')}`;
    const token = Buffer.from(payload, 'utf8').toString('base64url');
    // Kept after the task ends (a late callback is authorized on its state machine, then answered
    // TaskTimedOut, as AWS does), up to a bound.
    this.executions.set(token, executionArn);
    if (this.executions.size > 100_000) this.executions.delete(this.executions.keys().next().value!);
    return token;
  }

  /** Takes back a token handed out before a restart (a resumed execution's callback task). */
  adopt(token: string, executionArn: string): string {
    this.executions.set(token, executionArn);
    return token;
  }

  /** The execution ARN of a token still pending. */
  executionOf(token: string): string | undefined {
    return this.executions.get(token);
  }

  register(token: string, handlers: CallbackHandlers): void {
    this.pending.set(token, handlers);
  }

  release(token: string): void {
    this.pending.delete(token);
  }

  get size(): number {
    return this.pending.size;
  }

  lookup(token: string): CallbackHandlers {
    const handlers = this.pending.get(token);
    if (handlers) return handlers;
    let decoded = '';
    try {
      decoded = Buffer.from(token, 'base64url').toString('utf8');
    } catch {
      decoded = '';
    }
    if (typeof token !== 'string' || token.length === 0 || token.length > 1024 || !decoded.startsWith(TOKEN_PREFIX)) {
      throw new SfnApiError('InvalidToken', "Invalid Token: 'Invalid token'");
    }
    throw new SfnApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
  }
}
