// Event source mappings from SQS queues to functions, as Lambda runs them: long-poll the queue,
// gather a batch (up to BatchSize, for up to MaximumBatchingWindowInSeconds), invoke the function
// synchronously with Lambda's SQS event, then delete what succeeded. A function error leaves the
// batch in the queue: its visibility timeout brings it back, and the queue's redrive policy moves a
// message that keeps failing to its dead-letter queue. With ReportBatchItemFailures only the
// messages the function names stay.
import type { InvokeResult } from '../lambda/functions.js';
import { isObject } from '../../json.js';
import type { TimeScale } from '../../time.js';
import { SqsError } from './errors.js';
import type { Received } from './queue.js';
import { systemAttributesOf, type SqsService } from './service.js';

export interface SqsMappingSpec {
  uuid: string;
  functionArn: string;
  queueArn: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  reportBatchItemFailures: boolean;
}

export interface SqsPollerStats {
  invocations: number;
  messagesDeleted: number;
  functionErrors: number;
}

type Invoke = (functionArn: string, event: unknown) => Promise<InvokeResult>;

/** One message as Lambda's SQS event carries it. */
export function sqsRecord(r: Received, queueArn: string, region: string): Record<string, unknown> {
  const m = r.message;
  const messageAttributes: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(m.messageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { binaryValue: v.BinaryValue } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: v.DataType,
    };
  }
  return {
    messageId: m.messageId,
    receiptHandle: r.receipt,
    body: m.body,
    attributes: systemAttributesOf(m),
    messageAttributes,
    md5OfBody: m.md5OfBody,
    ...(m.md5OfMessageAttributes ? { md5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * The messages to keep after an invocation: none on success, all on a function error, and with
 * ReportBatchItemFailures the ones named (all of them when the response is malformed, as Lambda
 * treats an unknown or empty itemIdentifier as a failure of the whole batch).
 */
export function failedMessages(result: InvokeResult, batch: Received[], reportBatchItemFailures: boolean): Set<string> {
  const all = new Set(batch.map((r) => r.message.messageId));
  if (!result.ok) return all;
  if (!reportBatchItemFailures) return new Set();
  const payload = result.payload;
  if (!isObject(payload) || payload.batchItemFailures === undefined || payload.batchItemFailures === null)
    return new Set();
  if (!Array.isArray(payload.batchItemFailures)) return all;
  const failed = new Set<string>();
  for (const item of payload.batchItemFailures) {
    const id = isObject(item) ? item.itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '' || !all.has(id)) return all;
    failed.add(id);
  }
  return failed;
}

class SqsPoller {
  readonly stats: SqsPollerStats = { invocations: 0, messagesDeleted: 0, functionErrors: 0 };
  private readonly abort = new AbortController();
  readonly done: Promise<void>;

  constructor(
    readonly spec: SqsMappingSpec,
    private readonly sqs: SqsService,
    private readonly invoke: Invoke,
    private readonly time: TimeScale,
    private readonly log: (line: string) => void,
  ) {
    this.done = this.run().catch((e: unknown) =>
      this.log(`[sqs] mapping ${spec.uuid} stopped: ${(e as Error).message}`),
    );
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const queue = this.sqs.queueByArn(this.spec.queueArn);
      if (!queue) {
        // The queue may come back (a redeploy); Lambda keeps the mapping and retries.
        await this.time.sleep(10_000, this.abort.signal).catch(() => undefined);
        continue;
      }
      let batch: Received[];
      try {
        batch = await this.sqs.receive(queue, Math.min(this.spec.batchSize, 10), undefined, 20, this.abort.signal);
        const windowEnds = this.sqs.now() + this.spec.maximumBatchingWindowInSeconds * 1000;
        while (batch.length > 0 && batch.length < this.spec.batchSize && !this.stopped) {
          const left = (windowEnds - this.sqs.now()) / 1000;
          if (left <= 0) break;
          const more = await this.sqs.receive(
            queue,
            Math.min(this.spec.batchSize - batch.length, 10),
            undefined,
            Math.min(left, 20),
            this.abort.signal,
          );
          batch = batch.concat(more);
        }
      } catch (e) {
        if (e instanceof SqsError) continue; // the queue went while polling
        throw e;
      }
      if (batch.length === 0 || this.stopped) continue;
      const event = { Records: batch.map((r) => sqsRecord(r, queue.arn, this.sqs.account.region)) };
      this.stats.invocations++;
      const result = await this.invoke(this.spec.functionArn, event);
      // A mapping deleted meanwhile abandons the batch: its messages come back when visible.
      if (this.stopped) return;
      if (!result.ok) {
        this.stats.functionErrors++;
        this.log(
          `[sqs] ${this.spec.functionArn} failed on ${batch.length} message(s) from ${queue.name}: ${result.error.errorType}: ${result.error.errorMessage}; they return after the visibility timeout`,
        );
      }
      const keep = failedMessages(result, batch, this.spec.reportBatchItemFailures);
      for (const r of batch) {
        if (keep.has(r.message.messageId)) continue;
        if (queue.delete(r.receipt)) this.stats.messagesDeleted++;
      }
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

/** Every SQS event source mapping of the local cloud, by UUID. */
export class SqsPollers {
  private readonly pollers = new Map<string, SqsPoller>();

  constructor(
    private readonly deps: {
      sqs: SqsService;
      invoke: Invoke;
      time: TimeScale;
      log: (line: string) => void;
    },
  ) {}

  /** Starts a mapping, or restarts it with new settings. */
  async put(spec: SqsMappingSpec): Promise<void> {
    await this.stop(spec.uuid);
    this.pollers.set(spec.uuid, new SqsPoller(spec, this.deps.sqs, this.deps.invoke, this.deps.time, this.deps.log));
  }

  get(uuid: string): { spec: SqsMappingSpec; stats: SqsPollerStats } | undefined {
    const p = this.pollers.get(uuid);
    return p && { spec: p.spec, stats: p.stats };
  }

  list(): Array<{ spec: SqsMappingSpec; stats: SqsPollerStats }> {
    return [...this.pollers.values()].map((p) => ({ spec: p.spec, stats: p.stats }));
  }

  async stop(uuid: string): Promise<void> {
    const poller = this.pollers.get(uuid);
    if (!poller) return;
    this.pollers.delete(uuid);
    await poller.stop();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.pollers.keys()].map((uuid) => this.stop(uuid)));
  }
}
