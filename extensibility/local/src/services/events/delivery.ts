// Delivery of matched events to targets, after PutEvents has answered: async invocation with
// retries (Lambda's async semantics for function errors; RetryPolicy for the rest), then the
// target's dead-letter queue or a logged failure. Nothing here can throw into the caller.
import { parseArn } from '../../arn.js';
import type { TimeScale } from '../../time.js';
import type { Counters } from './counters.js';
import type { DeadLetters } from './dead-letters.js';
import type { EventEnvelope, Rule, Target, TargetDefinition } from './model.js';
import type { PendingDeliveries } from './pending.js';

/** Why a delivery attempt failed; `retryable` false sends the event straight to the DLQ. */
export class DeliveryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    /** Lambda function errors follow async invocation's retry schedule (2 more attempts). */
    readonly functionError = false,
  ) {
    super(message);
  }
}

/**
 * Sends a dead letter to a real queue (SQS): the event as the body, EventBridge's attributes;
 * false when there is no such queue, and the local store keeps it instead; `refused` (AWS's
 * message) when the queue's policy does not let EventBridge send to it: the event is dropped.
 */
export type DeadLetterSink = (
  queueArn: string,
  body: string,
  attributes: Record<string, string>,
) => boolean | { refused: string };

/**
 * Checks a delivery before each attempt, as EventBridge's authorization does (the target's role,
 * the target's resource policy); throws a DeliveryError (not retried) when it may not be made.
 */
export type TargetAuthorizer = (definition: TargetDefinition, rule: Rule, event: EventEnvelope) => void;

/** Delivers one input to one target ARN; throws DeliveryError on failure. */
export type TargetInvoker = (arn: string, input: unknown, event: EventEnvelope, rule: Rule) => Promise<void>;

/**
 * What happened to one event at one rule (and target): matched (per target when it has some),
 * retrying after a failed attempt, delivered, dead-lettered, dropped. What the console's live tail
 * shows beside each event (GET /_presso/stream).
 */
export interface DeliveryOutcome {
  eventId: string;
  busName: string;
  ruleArn: string;
  ruleName: string;
  targetId?: string;
  targetArn?: string;
  status: 'matched' | 'retrying' | 'delivered' | 'dead-lettered' | 'dropped';
  attempts?: number;
  error?: string;
}

/** Lambda's asynchronous invocation retries a function error twice, 1 and 2 minutes later. */
export const LAMBDA_RETRY_DELAYS_MS = [60_000, 120_000];
const DEFAULT_MAX_RETRIES = 185;
const DEFAULT_MAX_EVENT_AGE_S = 86_400;

export class Delivery {
  private readonly pending = new Set<Promise<void>>();
  private readonly invokers = new Map<string, TargetInvoker>();
  private deadLetterSink: DeadLetterSink | undefined;
  private authorize: TargetAuthorizer | undefined;
  private readonly observers = new Set<(outcome: DeliveryOutcome) => void>();
  /** Deliveries accepted and not ended, on disk (with --data-dir): delivered again after a restart. */
  private journal: PendingDeliveries | undefined;

  constructor(
    private readonly time: TimeScale,
    private readonly counters: Counters,
    private readonly deadLetters: DeadLetters,
    private readonly log: (line: string) => void,
  ) {}

  /** Registers who delivers to ARNs of one service ("lambda", "states", "events"...). */
  registerInvoker(service: string, invoker: TargetInvoker): void {
    this.invokers.set(service, invoker);
  }

  /** Where dead letters go when their DeadLetterConfig names a queue that exists (SQS). */
  registerDeadLetterSink(sink: DeadLetterSink): void {
    this.deadLetterSink = sink;
  }

  /** Who checks each delivery's permissions (IAM) before it is attempted. */
  registerTargetAuthorizer(authorizer: TargetAuthorizer): void {
    this.authorize = authorizer;
  }

  supports(arn: string): boolean {
    const service = parseArn(arn)?.service;
    return service !== undefined && this.invokers.has(service);
  }

  supportedServices(): string[] {
    return [...this.invokers.keys()];
  }

  /** Calls `observer` with every delivery outcome from now on; returns the unsubscribe function. */
  observe(observer: (outcome: DeliveryOutcome) => void): () => void {
    this.observers.add(observer);
    return () => void this.observers.delete(observer);
  }

  private tell(event: EventEnvelope, rule: Rule, target: Target | undefined, rest: Partial<DeliveryOutcome>): void {
    if (this.observers.size === 0) return;
    const outcome: DeliveryOutcome = {
      eventId: event.id,
      busName: rule.busName,
      ruleArn: rule.arn,
      ruleName: rule.name,
      ...(target ? { targetId: target.definition.Id, targetArn: target.definition.Arn } : {}),
      status: 'matched',
      ...rest,
    };
    for (const observer of this.observers) {
      try {
        observer(outcome);
      } catch {
        // An observer's failure must not break a delivery.
      }
    }
  }

  /** Keeps deliveries accepted and not ended in `journal` from now on. */
  persist(journal: PendingDeliveries): void {
    this.journal = journal;
  }

  /** Starts delivering an event to a rule's targets; returns at once. */
  deliver(event: EventEnvelope, rule: Rule, acceptedAt: number): void {
    this.accept(event, rule, acceptedAt);
    this.startAll(event, rule, acceptedAt);
  }

  /**
   * Writes that the event is to be delivered to the rule's targets (with --data-dir), before PutEvents
   * answers; throws when the write fails (a full disk): then nothing is to be delivered.
   */
  accept(event: EventEnvelope, rule: Rule, acceptedAt: number): void {
    if (this.journal && rule.targets.size > 0)
      this.journal.accepted(event, rule.busName, rule.arn, [...rule.targets.keys()], acceptedAt);
  }

  /** Takes back an accept whose event was refused after all (another write for it failed); best effort. */
  withdraw(event: EventEnvelope, rule: Rule): void {
    for (const id of rule.targets.keys()) {
      try {
        this.journal?.ended(event.id, rule.arn, id);
      } catch {
        // The disk is still full: delivered again after a restart, at least once.
      }
    }
  }

  /** Starts delivering an accepted event to each of the rule's targets; returns at once. */
  startAll(event: EventEnvelope, rule: Rule, acceptedAt: number): void {
    if (rule.targets.size === 0) this.tell(event, rule, undefined, {});
    for (const target of rule.targets.values()) this.tell(event, rule, target, {});
    for (const target of rule.targets.values()) this.start(event, rule, target, acceptedAt);
  }

  /** Delivers again what was accepted before a restart and not delivered (the journal's). */
  redeliver(event: EventEnvelope, rule: Rule, target: Target, acceptedAt: number): void {
    this.start(event, rule, target, acceptedAt);
  }

  private start(event: EventEnvelope, rule: Rule, target: Target, acceptedAt: number): void {
    {
      const p: Promise<void> = this.deliverToTarget(event, rule, target, acceptedAt).then(
        () => undefined,
        () => undefined,
      );
      void p.finally(() => {
        this.pending.delete(p);
        this.journal?.ended(event.id, rule.arn, target.definition.Id);
      });
      this.pending.add(p);
    }
  }

  /** Resolves when every delivery started so far, retries included, has finished (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async deliverToTarget(event: EventEnvelope, rule: Rule, target: Target, acceptedAt: number): Promise<boolean> {
    const { definition } = target;
    const ruleCounts = this.counters.rule(rule.arn);
    const busCounts = this.counters.bus(rule.busName);
    const maxRetries = definition.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_MAX_RETRIES;
    const maxAgeMs = (definition.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_S) * 1000;
    let attempts = 0;
    let lastError: DeliveryError;
    let exhausted: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds' | undefined;
    for (;;) {
      attempts++;
      try {
        const input = target.render(event, rule);
        const service = parseArn(definition.Arn)?.service ?? '';
        const invoker = this.invokers.get(service);
        if (!invoker)
          throw new DeliveryError('UnsupportedTarget', `No local service delivers to ${definition.Arn}`, false);
        this.authorize?.(definition, rule, event);
        await invoker(definition.Arn, input, event, rule);
        ruleCounts.delivered++;
        busCounts.delivered++;
        this.tell(event, rule, target, { status: 'delivered', attempts });
        return true;
      } catch (e) {
        lastError = e instanceof DeliveryError ? e : new DeliveryError('InternalError', (e as Error).message, true);
      }
      const retriesDone = attempts - 1;
      const retryLimit = lastError.functionError ? Math.min(LAMBDA_RETRY_DELAYS_MS.length, maxRetries) : maxRetries;
      if (!lastError.retryable) break;
      if (retriesDone >= retryLimit) {
        exhausted = 'MaximumRetryAttempts';
        break;
      }
      const delay = lastError.functionError
        ? LAMBDA_RETRY_DELAYS_MS[retriesDone]!
        : Math.min(1000 * 2 ** retriesDone, 300_000);
      // Event age is simulated time: what has passed, scaled back up by the speed.
      const ageMs = (Date.now() - acceptedAt) * this.time.speed;
      if (ageMs + delay > maxAgeMs) {
        exhausted = 'MaximumEventAgeInSeconds';
        break;
      }
      this.tell(event, rule, target, {
        status: 'retrying',
        attempts,
        error: `${lastError.code}: ${lastError.message}`,
      });
      await this.time.sleep(delay);
    }
    ruleCounts.failed++;
    busCounts.failed++;
    const dlq = definition.DeadLetterConfig?.Arn;
    // A queue that exists gets the event with EventBridge's message attributes, as in AWS.
    const queued =
      dlq !== undefined &&
      this.deadLetterSink?.(dlq, JSON.stringify(event), {
        RULE_ARN: rule.arn,
        TARGET_ARN: definition.Arn,
        ERROR_CODE: lastError.code,
        ERROR_MESSAGE: lastError.message,
        ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: exhausted } : {}),
        RETRY_ATTEMPTS: String(attempts - 1),
      });
    const error = `${lastError.code}: ${lastError.message}`;
    const refusedByQueue = dlq !== undefined && typeof queued === 'object';
    this.tell(event, rule, target, { status: dlq && !refusedByQueue ? 'dead-lettered' : 'dropped', attempts, error });
    if (dlq && typeof queued === 'object') {
      // EventBridge counts it in InvocationsFailedToBeSentToDlq; the event is gone.
      this.log(
        `[events] ${rule.name} -> ${definition.Id}: ${lastError.code} after ${attempts} attempt(s); event ${event.id} dropped: it could not be sent to the dead-letter queue ${dlq}: ${queued.refused}`,
      );
    } else if (dlq && queued) {
      ruleCounts.deadLettered++;
      busCounts.deadLettered++;
      this.log(
        `[events] ${rule.name} -> ${definition.Id}: ${lastError.code} after ${attempts} attempt(s), event ${event.id} sent to the queue ${dlq}`,
      );
    } else if (dlq) {
      this.deadLetters.add({
        queueArn: dlq,
        busName: rule.busName,
        ruleName: rule.name,
        ruleArn: rule.arn,
        targetId: definition.Id,
        targetArn: definition.Arn,
        event,
        errorCode: lastError.code,
        errorMessage: lastError.message,
        attempts,
      });
      ruleCounts.deadLettered++;
      busCounts.deadLettered++;
      this.log(
        `[events] ${rule.name} -> ${definition.Id}: ${lastError.code} after ${attempts} attempt(s), event ${event.id} sent to ${dlq}`,
      );
    } else {
      this.log(
        `[events] ${rule.name} -> ${definition.Id}: ${lastError.code}: ${lastError.message}; event ${event.id} dropped after ${attempts} attempt(s) (no DeadLetterConfig)`,
      );
    }
    return false;
  }
}
