// Lambda's asynchronous invocation (InvocationType Event, scheduler targets, and rule targets of a
// function that has somewhere to send failures): the event is accepted, run, retried on a function
// error (twice by default, 1 and 2 minutes later, on the time scale; EventInvokeConfig's
// MaximumRetryAttempts and MaximumEventAgeInSeconds bound it), and once retries are spent the
// failure goes to the function's dead-letter queue (DeadLetterQueue / DeadLetterConfig: the event
// as the body, RequestID/ErrorCode/ErrorMessage attributes) and to its OnFailure destination
// (Lambda's invocation record), when those are SQS queues.
import { randomUUID } from 'node:crypto';
import type { TimeScale } from '../../time.js';
import type { LocalFunction } from './functions.js';

/** Lambda's asynchronous invocation retries a function error twice, 1 and 2 minutes later. */
export const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];
const DEFAULT_MAX_EVENT_AGE_S = 21_600;

export interface AsyncFailureConfig {
  /** DeadLetterConfig.TargetArn (SAM DeadLetterQueue.TargetArn). */
  deadLetterQueue?: string;
  /** EventInvokeConfig.DestinationConfig.OnFailure.Destination. */
  onFailure?: string;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
}

export interface AsyncInvokerDeps {
  time: TimeScale;
  log: (line: string) => void;
  /** Whether the function is still deployed: a deleted one is not retried. */
  exists(functionName: string): boolean;
  /** Sends a message to a queue by ARN; false when there is no such queue locally. */
  sendToQueue(queueArn: string, body: string, attributes?: Record<string, string>): boolean;
}

export class AsyncInvoker {
  private readonly configs = new Map<string, AsyncFailureConfig>();

  constructor(private readonly deps: AsyncInvokerDeps) {}

  /** Sets (or, with undefined, removes) a function's asynchronous failure handling, by function name. */
  configure(functionName: string, config: AsyncFailureConfig | undefined): void {
    if (config && Object.keys(config).length) this.configs.set(functionName, config);
    else this.configs.delete(functionName);
  }

  config(functionName: string): AsyncFailureConfig | undefined {
    return this.configs.get(functionName);
  }

  /** Every function's failure queues: its dead-letter queue and its OnFailure destination. */
  destinations(): Array<{ functionName: string; queueArn: string; via: 'DeadLetterQueue' | 'OnFailure' }> {
    return [...this.configs].flatMap(([functionName, c]) => [
      ...(c.deadLetterQueue ? [{ functionName, queueArn: c.deadLetterQueue, via: 'DeadLetterQueue' as const }] : []),
      ...(c.onFailure ? [{ functionName, queueArn: c.onFailure, via: 'OnFailure' as const }] : []),
    ]);
  }

  /** Whether failures of this function go somewhere (a DLQ or an OnFailure destination). */
  hasFailureDestination(functionName: string): boolean {
    const c = this.configs.get(functionName);
    return c?.deadLetterQueue !== undefined || c?.onFailure !== undefined;
  }

  /** Accepts the event and runs it in the background; resolves when it is done (tests may await it). */
  invoke(fn: LocalFunction, event: unknown, requestId = randomUUID()): Promise<void> {
    return this.run(fn, event, requestId).catch((e: unknown) =>
      this.deps.log(`[lambda] ${fn.name}: asynchronous invocation ${requestId} failed: ${(e as Error).message}`),
    );
  }

  private async run(fn: LocalFunction, event: unknown, requestId: string): Promise<void> {
    const config = this.configs.get(fn.name) ?? {};
    const maxRetries = Math.min(config.maximumRetryAttempts ?? 2, ASYNC_RETRY_DELAYS_MS.length);
    const maxAgeMs = (config.maximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_S) * 1000;
    const accepted = Date.now();
    for (let attempt = 0; ; attempt++) {
      const result = await fn.invoke(event, requestId).catch((e: unknown) => ({
        ok: false as const,
        error: { errorType: 'ServiceException', errorMessage: (e as Error).message },
      }));
      if (result.ok) return;
      let condition: 'RetriesExhausted' | 'EventAgeExceeded' | undefined;
      if (attempt >= maxRetries) condition = 'RetriesExhausted';
      else if ((Date.now() - accepted) * this.deps.time.speed + ASYNC_RETRY_DELAYS_MS[attempt]! > maxAgeMs)
        condition = 'EventAgeExceeded';
      if (condition) {
        this.fail(fn, event, requestId, attempt + 1, condition, result.error);
        return;
      }
      await this.deps.time.sleep(ASYNC_RETRY_DELAYS_MS[attempt]!);
      if (!this.deps.exists(fn.name)) return;
    }
  }

  private fail(
    fn: LocalFunction,
    event: unknown,
    requestId: string,
    invokes: number,
    condition: 'RetriesExhausted' | 'EventAgeExceeded',
    error: { errorType: string; errorMessage: string; stackTrace?: string[] },
  ): void {
    const config = this.configs.get(fn.name) ?? {};
    const sent: string[] = [];
    if (config.deadLetterQueue) {
      // The event as it was invoked, with why (the status code of the invocation, which a function error answers with 200).
      const ok = this.deps.sendToQueue(config.deadLetterQueue, JSON.stringify(event), {
        RequestID: requestId,
        ErrorCode: '200',
        ErrorMessage: `${error.errorMessage}`.slice(0, 1024),
      });
      sent.push(ok ? config.deadLetterQueue : `${config.deadLetterQueue} (no such queue locally)`);
    }
    if (config.onFailure) {
      const record = {
        version: '1.0',
        timestamp: new Date().toISOString(),
        requestContext: {
          requestId,
          functionArn: `${fn.arn}:$LATEST`,
          condition,
          approximateInvokeCount: invokes,
        },
        requestPayload: event,
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: {
          errorType: error.errorType,
          errorMessage: error.errorMessage,
          ...(error.stackTrace ? { stackTrace: error.stackTrace } : {}),
        },
      };
      const ok = this.deps.sendToQueue(config.onFailure, JSON.stringify(record));
      sent.push(ok ? config.onFailure : `${config.onFailure} (no such queue locally)`);
    }
    this.deps.log(
      `[lambda] ${fn.name}: ${error.errorType}: ${error.errorMessage}; asynchronous invocation ${requestId} ${
        sent.length ? `sent to ${sent.join(' and ')}` : 'dropped'
      } after ${invokes} attempt(s) (${condition})`,
    );
  }
}

/**
 * A function's asynchronous failure handling from its template properties: SAM's DeadLetterQueue
 * and EventInvokeConfig, or AWS::Lambda::Function's DeadLetterConfig. Only SQS destinations are
 * delivered to locally; the others are logged by the caller.
 */
export function asyncFailureConfig(p: Record<string, unknown>): AsyncFailureConfig {
  const out: AsyncFailureConfig = {};
  const dlq = (p.DeadLetterQueue ?? p.DeadLetterConfig) as { TargetArn?: unknown } | undefined;
  if (dlq && typeof dlq.TargetArn === 'string') out.deadLetterQueue = dlq.TargetArn;
  const invoke = p.EventInvokeConfig as
    | {
        MaximumRetryAttempts?: unknown;
        MaximumEventAgeInSeconds?: unknown;
        DestinationConfig?: { OnFailure?: { Destination?: unknown } };
      }
    | undefined;
  if (invoke) {
    if (invoke.MaximumRetryAttempts !== undefined) out.maximumRetryAttempts = Number(invoke.MaximumRetryAttempts);
    if (invoke.MaximumEventAgeInSeconds !== undefined)
      out.maximumEventAgeInSeconds = Number(invoke.MaximumEventAgeInSeconds);
    const destination = invoke.DestinationConfig?.OnFailure?.Destination;
    if (typeof destination === 'string') out.onFailure = destination;
  }
  return out;
}
