// Lambda's asynchronous invocation (InvocationType Event, scheduler targets, and rule targets of a
// function that has somewhere to send failures): the event is accepted, run, retried on a function
// error (twice by default, 1 and 2 minutes later, on the time scale; EventInvokeConfig's
// MaximumRetryAttempts and MaximumEventAgeInSeconds bound it), and once retries are spent the
// failure goes to the function's dead-letter queue (DeadLetterQueue / DeadLetterConfig: the event
// as the body, RequestID/ErrorCode/ErrorMessage attributes) and Lambda's invocation record to its
// OnFailure destination; a success's record goes to its OnSuccess destination (a queue, a function
// or a bus: the deps deliver it, with the function's execution role).
import { randomUUID } from 'node:crypto';
import type { TimeScale } from '../../time.js';
import type { AsyncInvocation, AsyncStore } from './async-store.js';
import type { LocalFunction } from './functions.js';

/** Lambda's asynchronous invocation retries a function error twice, 1 and 2 minutes later. */
export const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];
const DEFAULT_MAX_EVENT_AGE_S = 21_600;

export interface AsyncFailureConfig {
  /** DeadLetterConfig.TargetArn (SAM DeadLetterQueue.TargetArn). */
  deadLetterQueue?: string;
  /** EventInvokeConfig.DestinationConfig.OnFailure.Destination. */
  onFailure?: string;
  /** EventInvokeConfig.DestinationConfig.OnSuccess.Destination. */
  onSuccess?: string;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
}

export interface AsyncInvokerDeps {
  time: TimeScale;
  log: (line: string) => void;
  /** Whether the function is still deployed: a deleted one is not retried. */
  exists(functionName: string): boolean;
  /**
   * Sends a message to a queue by ARN with the function's execution role (as Lambda sends to a
   * function's dead-letter queue and destinations); false when there is no such queue locally,
   * `refused` with AWS's message when the role may not send there.
   */
  sendToQueue(
    queueArn: string,
    body: string,
    attributes: Record<string, string> | undefined,
    functionArn: string,
  ): boolean | { refused: string };
  /**
   * Sends Lambda's invocation record to a destination (a queue, a function, a bus) with the
   * function's execution role; false when there is no such destination locally, `refused` with
   * AWS's message when the role may not send there.
   */
  sendToDestination(
    destination: string,
    record: InvocationRecord,
    functionArn: string,
    condition: 'Success' | 'RetriesExhausted' | 'EventAgeExceeded',
  ): boolean | { refused: string };
}

/** Lambda's record of an asynchronous invocation, as its destinations receive it. */
export interface InvocationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload: unknown;
}

export class AsyncInvoker {
  private readonly configs = new Map<string, AsyncFailureConfig>();
  /** With --data-dir: where invocations accepted and not done are kept (async-store.ts). */
  private store?: AsyncStore;
  /** Invocations kept from before a restart whose function is not deployed again yet. */
  private held: AsyncInvocation[] = [];
  /** Invocations kept from before a restart that went on (for `presso up`'s report). */
  resumed = 0;
  /** Aborts the retries waiting when the cloud stops (with --data-dir they go on at the next start). */
  private readonly stopping = new AbortController();

  constructor(private readonly deps: AsyncInvokerDeps) {}

  /** Whether accepted invocations are on disk (then an accepted one outlives a crash). */
  get durable(): boolean {
    return this.store !== undefined;
  }

  /** Keeps invocations on disk from now on; those kept from before go on once their function exists (resumeHeld). */
  persist(store: AsyncStore): void {
    this.store = store;
    this.held.push(...store.restored);
  }

  /** Invocations kept from before the restart still waiting for their function. */
  get heldCount(): number {
    return this.held.length;
  }

  /**
   * Goes on with the invocations kept from before a restart whose function is deployed again: each
   * waits what remained of its retry interval (none if it was running), its age counting from when
   * it was first accepted. Returns how many went on.
   */
  resumeHeld(get: (functionName: string) => LocalFunction | undefined): number {
    let n = 0;
    this.held = this.held.filter((invocation) => {
      const fn = get(invocation.functionName);
      if (!fn) return true;
      n++;
      void this.run(fn, invocation).catch((e: unknown) => this.failed(fn, invocation.requestId, e));
      return false;
    });
    this.resumed += n;
    return n;
  }

  /** Sets (or, with undefined, removes) a function's asynchronous failure handling, by function name. */
  configure(functionName: string, config: AsyncFailureConfig | undefined): void {
    if (config && Object.keys(config).length) this.configs.set(functionName, config);
    else this.configs.delete(functionName);
  }

  config(functionName: string): AsyncFailureConfig | undefined {
    return this.configs.get(functionName);
  }

  /** Every function's failure queues: its dead-letter queue and its OnFailure destination when it is a queue. */
  destinations(): Array<{ functionName: string; queueArn: string; via: 'DeadLetterQueue' | 'OnFailure' }> {
    return [...this.configs].flatMap(([functionName, c]) => [
      ...(c.deadLetterQueue ? [{ functionName, queueArn: c.deadLetterQueue, via: 'DeadLetterQueue' as const }] : []),
      ...(c.onFailure?.startsWith('arn:aws:sqs:')
        ? [{ functionName, queueArn: c.onFailure, via: 'OnFailure' as const }]
        : []),
    ]);
  }

  /** Whether failures of this function go somewhere (a DLQ or an OnFailure destination). */
  hasFailureDestination(functionName: string): boolean {
    const c = this.configs.get(functionName);
    return c?.deadLetterQueue !== undefined || c?.onFailure !== undefined;
  }

  /**
   * Accepts the event (on disk first, with --data-dir: a write that fails throws, and nothing was
   * accepted) and runs it in the background; resolves when it is done (tests may await it).
   */
  invoke(fn: LocalFunction, event: unknown, requestId = randomUUID()): Promise<void> {
    const invocation: AsyncInvocation = {
      requestId,
      functionName: fn.name,
      event,
      acceptedAt: Date.now(),
      attempts: 0,
    };
    this.store?.accepted(invocation);
    return this.run(fn, invocation).catch((e: unknown) => this.failed(fn, requestId, e));
  }

  private failed(fn: LocalFunction, requestId: string, e: unknown): void {
    if (this.stopping.signal.aborted) return; // The cloud stopped during a retry's wait.
    this.deps.log(`[lambda] ${fn.name}: asynchronous invocation ${requestId} failed: ${(e as Error).message}`);
  }

  /** The cloud stops: retries waiting are dropped (kept on disk with --data-dir, they go on at the next start). */
  close(): void {
    this.stopping.abort();
  }

  private async run(fn: LocalFunction, invocation: AsyncInvocation): Promise<void> {
    try {
      await this.attempts(fn, invocation);
    } finally {
      // Done: succeeded, sent to its failure destinations, or dropped with its function.
      this.store?.ended(invocation.requestId);
    }
  }

  private async attempts(fn: LocalFunction, invocation: AsyncInvocation): Promise<void> {
    const { event, requestId } = invocation;
    const config = this.configs.get(fn.name) ?? {};
    const maxRetries = Math.min(config.maximumRetryAttempts ?? 2, ASYNC_RETRY_DELAYS_MS.length);
    const maxAgeMs = (config.maximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_S) * 1000;
    const accepted = invocation.acceptedAt;
    // A retry kept from before a restart waits what remained of its interval.
    if (invocation.retry) {
      const left = invocation.retry.delay - (Date.now() - invocation.retry.scheduledAt) * this.deps.time.speed;
      if (left > 0) await this.deps.time.sleep(left, this.stopping.signal);
      if (!this.deps.exists(fn.name)) return;
    }
    for (let attempt = invocation.attempts; ; attempt++) {
      const result = await fn.invoke(event, requestId).catch((e: unknown) => ({
        ok: false as const,
        error: { errorType: 'ServiceException', errorMessage: (e as Error).message },
      }));
      if (result.ok) {
        if (config.onSuccess) this.succeeded(fn, event, requestId, attempt + 1, result.payload, config.onSuccess);
        return;
      }
      let condition: 'RetriesExhausted' | 'EventAgeExceeded' | undefined;
      if (attempt >= maxRetries) condition = 'RetriesExhausted';
      else if ((Date.now() - accepted) * this.deps.time.speed + ASYNC_RETRY_DELAYS_MS[attempt]! > maxAgeMs)
        condition = 'EventAgeExceeded';
      if (condition) {
        this.fail(fn, event, requestId, attempt + 1, condition, result.error);
        return;
      }
      const delay = ASYNC_RETRY_DELAYS_MS[attempt]!;
      this.store?.retrying(requestId, attempt + 1, delay);
      await this.deps.time.sleep(delay, this.stopping.signal);
      if (!this.deps.exists(fn.name)) return;
    }
  }

  /** Lambda's record of a successful invocation, to the OnSuccess destination. */
  private succeeded(
    fn: LocalFunction,
    event: unknown,
    requestId: string,
    invokes: number,
    payload: unknown,
    destination: string,
  ): void {
    const record: InvocationRecord = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId,
        functionArn: `${fn.arn}:$LATEST`,
        condition: 'Success',
        approximateInvokeCount: invokes,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: payload ?? null,
    };
    const ok = this.deps.sendToDestination(destination, record, fn.arn, 'Success');
    if (ok === true) return;
    this.deps.log(
      `[lambda] ${fn.name}: asynchronous invocation ${requestId} succeeded; its record was not sent to its OnSuccess destination ${destination}: ${
        typeof ok === 'object' ? `${ok.refused} (counted in DestinationDeliveryFailures)` : 'it does not exist locally'
      }`,
    );
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
    // A send the role may not make is lost there: Lambda counts it in the metric named.
    const refused: string[] = [];
    const outcome = (queue: string, ok: boolean | { refused: string }, metric: string) => {
      if (typeof ok === 'object') refused.push(`not sent to ${queue}: ${ok.refused} (counted in ${metric})`);
      else sent.push(ok ? queue : `${queue} (not found locally)`);
    };
    if (config.deadLetterQueue) {
      // The event as it was invoked, with why (the status code of the invocation, which a function error answers with 200).
      const ok = this.deps.sendToQueue(
        config.deadLetterQueue,
        JSON.stringify(event),
        { RequestID: requestId, ErrorCode: '200', ErrorMessage: `${error.errorMessage}`.slice(0, 1024) },
        fn.arn,
      );
      outcome(config.deadLetterQueue, ok, 'DeadLetterErrors');
    }
    if (config.onFailure) {
      const record: InvocationRecord = {
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
      const ok = this.deps.sendToDestination(config.onFailure, record, fn.arn, condition);
      outcome(config.onFailure, ok, 'DestinationDeliveryFailures');
    }
    this.deps.log(
      `[lambda] ${fn.name}: ${error.errorType}: ${error.errorMessage}; asynchronous invocation ${requestId} ${
        sent.length ? `sent to ${sent.join(' and ')}` : 'dropped'
      } after ${invokes} attempt(s) (${condition})${refused.map((r) => `; ${r}`).join('')}`,
    );
  }
}

/**
 * A function's asynchronous failure handling from its template properties: SAM's DeadLetterQueue
 * and EventInvokeConfig (AWS::Lambda::EventInvokeConfig's properties are not read), or
 * AWS::Lambda::Function's DeadLetterConfig.
 */
export function asyncFailureConfig(p: Record<string, unknown>): AsyncFailureConfig {
  const out: AsyncFailureConfig = {};
  const dlq = (p.DeadLetterQueue ?? p.DeadLetterConfig) as { TargetArn?: unknown } | undefined;
  if (dlq && typeof dlq.TargetArn === 'string') out.deadLetterQueue = dlq.TargetArn;
  const invoke = p.EventInvokeConfig as
    | {
        MaximumRetryAttempts?: unknown;
        MaximumEventAgeInSeconds?: unknown;
        DestinationConfig?: { OnFailure?: { Destination?: unknown }; OnSuccess?: { Destination?: unknown } };
      }
    | undefined;
  if (invoke) {
    if (invoke.MaximumRetryAttempts !== undefined) out.maximumRetryAttempts = Number(invoke.MaximumRetryAttempts);
    if (invoke.MaximumEventAgeInSeconds !== undefined)
      out.maximumEventAgeInSeconds = Number(invoke.MaximumEventAgeInSeconds);
    const destination = invoke.DestinationConfig?.OnFailure?.Destination;
    if (typeof destination === 'string') out.onFailure = destination;
    const success = invoke.DestinationConfig?.OnSuccess?.Destination;
    if (typeof success === 'string') out.onSuccess = success;
  }
  return out;
}
