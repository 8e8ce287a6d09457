// SQS: queues (standard and FIFO) and their operations, with the JSON protocol's member names as
// input and output. The edge adapters (protocol.ts) put the JSON and query protocols in front of
// it; event source mappings, EventBridge and Lambda dead letters use it directly. Everything runs
// on the local clock: the simulated time that `--speed` runs faster than real time.
import { randomUUID } from 'node:crypto';
import { parseArn, type Account } from '../../arn.js';
import { isObject } from '../../json.js';
import type { TimeScale } from '../../time.js';
import { DEFAULT_SETTINGS, parseAttributes, queueAttributes } from './attributes.js';
import { sqsErrors } from './errors.js';
import { md5OfAttributes, messageSize, type MessageAttributeValue } from './md5.js';
import { Queue, type Received, type SendResult, type StoredMessage } from './queue.js';
import { SqsStore } from './store.js';

type Input = Record<string, unknown>;

export interface SqsServiceOptions {
  account: Account;
  time: TimeScale;
  log?: (line: string) => void;
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_ATTRIBUTES = 10;
const SENDER_ID = 'AIDAIENQZJOLO23YVJ4VO';

/** A message move task (StartMessageMoveTask): here it completes as it starts. */
interface MoveTask {
  TaskHandle: string;
  Status: 'COMPLETED' | 'RUNNING' | 'FAILED' | 'CANCELLED';
  SourceArn: string;
  DestinationArn?: string;
  MaxNumberOfMessagesPerSecond?: number;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  StartedTimestamp: number;
  FailureReason?: string;
}

const str = (input: Input, key: string): string | undefined =>
  typeof input[key] === 'string' ? (input[key] as string) : undefined;

function int(input: Input, key: string, min: number, max: number, reason: string): number | undefined {
  const raw = input[key];
  if (raw === undefined || raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw sqsErrors.invalidValue(key, raw, reason);
  return n;
}

export class SqsService {
  private readonly queues = new Map<string, Queue>();
  private readonly tags = new Map<string, Record<string, string>>();
  private readonly deletedAt = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly moveTasks: MoveTask[] = [];
  /** Queues the local cloud has sent dead letters or failure records to. */
  private readonly deadLetterTargets = new Set<string>();
  private readonly closing = new AbortController();
  private readonly origin = Date.now();
  /**
   * Told each queue's policy as it is set, changed or removed (undefined), to make it the queue's
   * resource policy (IAM); throwing refuses the policy (InvalidAttributeValue).
   */
  onPolicy: ((queueArn: string, policy: string | undefined) => void) | undefined;
  /** With --data-dir: where messages are written (persist()). */
  private store?: SqsStore;
  /** The base of queue URLs: the edge's URL once it listens. */
  endpoint = 'http://localhost:4566';
  readonly account: Account;
  private readonly time: TimeScale;
  private readonly log: (line: string) => void;

  constructor(options: SqsServiceOptions) {
    this.account = options.account;
    this.time = options.time;
    this.log = options.log ?? (() => {});
  }

  /** The local clock, in milliseconds: real time since start-up times the speed. */
  readonly now = (): number => this.origin + (Date.now() - this.origin) * this.time.speed;

  arnOf(name: string): string {
    return `arn:aws:sqs:${this.account.region}:${this.account.accountId}:${name}`;
  }

  urlOf(name: string): string {
    return `${this.endpoint}/${this.account.accountId}/${name}`;
  }

  /** A queue by URL (any host: the local one, or AWS's `https://sqs.<region>.amazonaws.com/<account>/<name>`). */
  queueByUrl(url: string): Queue {
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      path = url;
    }
    const parts = path.split('/').filter(Boolean);
    const name = parts.at(-1);
    const queue =
      name && (parts.length === 1 || parts.at(-2) === this.account.accountId) ? this.queues.get(name) : undefined;
    if (!queue) throw sqsErrors.queueDoesNotExist();
    return queue;
  }

  queueByArn(arn: string): Queue | undefined {
    const parsed = parseArn(arn);
    if (!parsed || parsed.service !== 'sqs' || parsed.accountId !== this.account.accountId) return undefined;
    return this.queues.get(parsed.resource);
  }

  /** Every queue (for alarms, `presso dlq`, the admin routes). */
  list(): Queue[] {
    return [...this.queues.values()];
  }

  private queueOf(input: Input): Queue {
    const url = str(input, 'QueueUrl');
    if (url === undefined) throw sqsErrors.missingParameter('QueueUrl');
    return this.queueByUrl(url);
  }

  private wake(queue: Queue): void {
    for (const wake of this.waiters.get(queue.name) ?? []) wake();
  }

  /** Runs one operation of the SQS API (the JSON protocol's names); throws SqsError. */
  async handle(operation: string, input: Input): Promise<unknown> {
    switch (operation) {
      case 'CreateQueue':
        return this.createQueue(input, true);
      case 'GetQueueUrl': {
        const name = str(input, 'QueueName');
        if (name === undefined) throw sqsErrors.missingParameter('QueueName');
        if (!this.queues.has(name)) throw sqsErrors.queueDoesNotExist();
        return { QueueUrl: this.urlOf(name) };
      }
      case 'ListQueues':
        return this.listQueues(input);
      case 'DeleteQueue': {
        const queue = this.queueOf(input);
        this.deleteQueue(queue.name);
        return {};
      }
      case 'GetQueueAttributes': {
        const queue = this.queueOf(input);
        const names = Array.isArray(input.AttributeNames) ? input.AttributeNames.map(String) : [];
        const attributes = queueAttributes(queue, names);
        return Object.keys(attributes).length ? { Attributes: attributes } : {};
      }
      case 'SetQueueAttributes':
        this.setAttributes(this.queueOf(input), isObject(input.Attributes) ? input.Attributes : {}, true);
        return {};
      case 'PurgeQueue': {
        const queue = this.queueOf(input);
        const now = this.now();
        if (now - queue.lastPurgeAt < 60_000) throw sqsErrors.purgeInProgress(queue.arn);
        queue.lastPurgeAt = now;
        queue.purge();
        return {};
      }
      case 'SendMessage': {
        const queue = this.queueOf(input);
        const result = this.sendOne(queue, input);
        this.wake(queue);
        return sendOutput(result);
      }
      case 'SendMessageBatch':
        return this.sendBatch(input);
      case 'ReceiveMessage':
        return this.receiveMessage(input);
      case 'DeleteMessage': {
        const queue = this.queueOf(input);
        const handle = str(input, 'ReceiptHandle');
        if (handle === undefined) throw sqsErrors.missingParameter('ReceiptHandle');
        if (!queue.delete(handle)) throw sqsErrors.receiptHandleIsInvalid(handle);
        return {};
      }
      case 'DeleteMessageBatch':
        return this.batch(input, 'DeleteMessageBatchRequestEntry', (queue, entry) => {
          const handle = str(entry, 'ReceiptHandle') ?? '';
          if (!queue.delete(handle)) throw sqsErrors.receiptHandleIsInvalid(handle);
          return {};
        });
      case 'ChangeMessageVisibility': {
        const queue = this.queueOf(input);
        this.changeVisibility(queue, input);
        return {};
      }
      case 'ChangeMessageVisibilityBatch':
        return this.batch(input, 'ChangeMessageVisibilityBatchRequestEntry', (queue, entry) => {
          this.changeVisibility(queue, entry);
          return {};
        });
      case 'ListDeadLetterSourceQueues': {
        const queue = this.queueOf(input);
        const urls = this.list()
          .filter((q) => q.settings.redrive?.deadLetterTargetArn === queue.arn)
          .map((q) => this.urlOf(q.name));
        return { queueUrls: urls };
      }
      case 'TagQueue': {
        const queue = this.queueOf(input);
        const tags = isObject(input.Tags) ? input.Tags : {};
        const next = { ...this.tags.get(queue.name), ...(tags as Record<string, string>) };
        this.store?.changed(queue.name, { tags: next });
        this.tags.set(queue.name, next);
        return {};
      }
      case 'UntagQueue': {
        const queue = this.queueOf(input);
        const current = { ...this.tags.get(queue.name) };
        for (const key of Array.isArray(input.TagKeys) ? input.TagKeys : []) delete current[String(key)];
        this.store?.changed(queue.name, { tags: current });
        this.tags.set(queue.name, current);
        return {};
      }
      case 'ListQueueTags': {
        const queue = this.queueOf(input);
        const tags = this.tags.get(queue.name) ?? {};
        return Object.keys(tags).length ? { Tags: tags } : {};
      }
      case 'StartMessageMoveTask':
        return this.startMoveTask(input);
      case 'ListMessageMoveTasks': {
        const source = str(input, 'SourceArn');
        if (source === undefined) throw sqsErrors.missingParameter('SourceArn');
        if (!this.queueByArn(source))
          throw sqsErrors.resourceNotFound(
            "The resource that you specified for the SourceArn parameter doesn't exist.",
          );
        const max = int(input, 'MaxResults', 1, 10, 'Must be between 1 and 10, if provided.') ?? 1;
        const results = this.moveTasks
          .filter((t) => t.SourceArn === source)
          .reverse()
          .slice(0, max)
          .map(({ TaskHandle, ...rest }) => (rest.Status === 'RUNNING' ? { TaskHandle, ...rest } : rest));
        return { Results: results };
      }
      case 'CancelMessageMoveTask': {
        const handle = str(input, 'TaskHandle');
        if (handle === undefined) throw sqsErrors.missingParameter('TaskHandle');
        const task = this.moveTasks.find((t) => t.TaskHandle === handle && t.Status === 'RUNNING');
        if (!task) throw sqsErrors.resourceNotFound('Task does not exist.');
        task.Status = 'CANCELLED';
        return { ApproximateNumberOfMessagesMoved: task.ApproximateNumberOfMessagesMoved };
      }
      case 'AddPermission':
      case 'RemovePermission':
        throw sqsErrors.unsupportedOperation(
          `${operation} is not emulated locally: set the queue's Policy attribute (or an AWS::SQS::QueuePolicy) instead.`,
        );
      default:
        throw sqsErrors.invalidAction(operation);
    }
  }

  private createQueue(input: Input, fromApi = false): { QueueUrl: string } {
    const name = str(input, 'QueueName');
    if (name === undefined) throw sqsErrors.missingParameter('QueueName');
    const attributes = isObject(input.Attributes) ? input.Attributes : {};
    const parsed = parseAttributes(attributes);
    const fifo = name.endsWith('.fifo');
    if (fifo ? !FIFO_NAME.test(name) : !QUEUE_NAME.test(name)) {
      throw sqsErrors.invalidParameterValue(
        fifo || parsed.fifo
          ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
          : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    if (parsed.fifo && !fifo)
      throw sqsErrors.invalidParameterValue(
        'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
      );
    if (parsed.fifo === false && fifo)
      throw sqsErrors.invalidAttributeValue('FifoQueue', 'a queue named .fifo is a FIFO queue.');
    if (!fifo && (parsed.settings.contentBasedDeduplication !== undefined || parsed.stored.has('DeduplicationScope')))
      throw sqsErrors.invalidAttributeName(
        parsed.settings.contentBasedDeduplication !== undefined ? 'ContentBasedDeduplication' : 'DeduplicationScope',
      );
    const existing = this.queues.get(name);
    if (existing) {
      // The same name with the same attributes returns the queue; any difference is QueueNameExists.
      const current = queueAttributes(existing, ['All']);
      for (const [k, v] of Object.entries(attributes)) {
        if (k === 'FifoQueue') continue;
        if (current[k] !== String(v)) throw sqsErrors.queueNameExists(k);
      }
      return { QueueUrl: this.urlOf(name) };
    }
    this.checkRedrive(parsed.settings.redrive, fifo);
    const deleted = this.deletedAt.get(name);
    if (deleted !== undefined && this.now() - deleted < 60_000) throw sqsErrors.queueDeletedRecently();
    const { redrive, ...settings } = parsed.settings;
    const queue = new Queue(name, this.arnOf(name), fifo, { ...DEFAULT_SETTINGS, ...settings }, this.now);
    if (redrive) queue.settings.redrive = redrive;
    if (parsed.policy) {
      this.announcePolicy(queue.arn, parsed.policy);
      queue.policy = parsed.policy;
    }
    if (parsed.redriveAllowPolicy) queue.redriveAllowPolicy = parsed.redriveAllowPolicy;
    for (const [k, v] of parsed.stored) queue.extra.set(k, v);
    const tags = isObject(input.tags) ? (input.tags as Record<string, string>) : undefined;
    this.store?.attach(queue, fromApi ? { name, attributes, ...(tags ? { tags } : {}) } : undefined);
    this.queues.set(name, queue);
    if (tags) this.tags.set(name, tags);
    return { QueueUrl: this.urlOf(name) };
  }

  /**
   * Deletes a queue (its messages go with it); a receive waiting on it ends with QueueDoesNotExist.
   * `quiet` (a stack's own queue) spares the name the 60 seconds of QueueDeletedRecently.
   */
  deleteQueue(name: string, options: { quiet?: boolean } = {}): void {
    const queue = this.queues.get(name);
    if (!queue) return;
    this.store?.dropped(name);
    this.queues.delete(name);
    this.tags.delete(name);
    if (queue.policy) this.announcePolicy(queue.arn, undefined);
    if (!options.quiet) this.deletedAt.set(name, this.now());
    this.wake(queue);
  }

  private announcePolicy(queueArn: string, policy: string | undefined): void {
    try {
      this.onPolicy?.(queueArn, policy);
    } catch (e) {
      throw sqsErrors.invalidAttributeValue('Policy', (e as Error).message);
    }
  }

  /** Creates a queue as CreateQueue does (stacks); returns its URL. */
  createQueueFrom(name: string, attributes: Record<string, string>, tags?: Record<string, string>): string {
    return this.createQueue({ QueueName: name, Attributes: attributes, ...(tags ? { tags } : {}) }).QueueUrl;
  }

  /** Sets a queue's attributes; `fromApi` (SetQueueAttributes) keeps them for a queue made with CreateQueue. */
  setAttributes(queue: Queue, attributes: Record<string, unknown>, fromApi = false): void {
    const parsed = parseAttributes(attributes);
    if (parsed.fifo !== undefined && parsed.fifo !== queue.fifo) throw sqsErrors.invalidAttributeName('FifoQueue');
    if (!queue.fifo && parsed.settings.contentBasedDeduplication !== undefined)
      throw sqsErrors.invalidAttributeName('ContentBasedDeduplication');
    this.checkRedrive(parsed.settings.redrive, queue.fifo);
    if (parsed.policy) this.announcePolicy(queue.arn, parsed.policy);
    // Written before the queue changes (a write that fails refuses the call, nothing changed).
    if (fromApi)
      try {
        this.store?.changed(queue.name, { attributes });
      } catch (e) {
        if (parsed.policy) this.announcePolicy(queue.arn, queue.policy);
        throw e;
      }
    const { redrive, ...settings } = parsed.settings;
    Object.assign(queue.settings, settings);
    if (redrive === null) delete queue.settings.redrive;
    else if (redrive) queue.settings.redrive = redrive;
    if (parsed.policy !== undefined) {
      if (parsed.policy === '') this.announcePolicy(queue.arn, undefined);
      if (parsed.policy === '') delete queue.policy;
      else queue.policy = parsed.policy;
    }
    if (parsed.redriveAllowPolicy !== undefined) queue.redriveAllowPolicy = parsed.redriveAllowPolicy;
    for (const [k, v] of parsed.stored) queue.extra.set(k, v);
    queue.lastModifiedAt = this.now();
    this.wake(queue);
  }

  /** A redrive policy must name an existing queue of the same type. */
  private checkRedrive(redrive: Queue['settings']['redrive'] | null | undefined, fifo: boolean): void {
    if (!redrive) return;
    const target = this.queueByArn(redrive.deadLetterTargetArn);
    const value = JSON.stringify(redrive);
    if (!target) throw sqsErrors.invalidValue('RedrivePolicy', value, 'Dead letter target does not exist.');
    if (target.fifo !== fifo)
      throw sqsErrors.invalidValue(
        'RedrivePolicy',
        value,
        'Dead-letter queue must be same type of queue as the source.',
      );
  }

  private listQueues(input: Input): unknown {
    const prefix = str(input, 'QueueNamePrefix') ?? '';
    const max = int(input, 'MaxResults', 1, 1000, 'Must be between 1 and 1000, if provided.');
    const names = [...this.queues.keys()].filter((n) => n.startsWith(prefix)).sort();
    const token = str(input, 'NextToken');
    const start = token ? Number(Buffer.from(token, 'base64').toString('utf8')) || 0 : 0;
    const page = max === undefined ? names : names.slice(start, start + max);
    const out: Record<string, unknown> = {};
    if (page.length) out.QueueUrls = page.map((n) => this.urlOf(n));
    if (max !== undefined && start + max < names.length)
      out.NextToken = Buffer.from(String(start + max), 'utf8').toString('base64');
    return out;
  }

  // ---- messages ----------------------------------------------------------------------------------

  /** Validates one message (SendMessage's or a batch entry's members) and sends it. */
  private sendOne(queue: Queue, input: Input): SendResult {
    const body = input.MessageBody;
    if (typeof body !== 'string') throw sqsErrors.missingParameter('MessageBody');
    if (body.length === 0) throw sqsErrors.invalidParameterValue('The request must contain the parameter MessageBody.');
    const attributes = messageAttributes(input.MessageAttributes, 'MessageAttributes');
    const system = messageAttributes(input.MessageSystemAttributes, 'MessageSystemAttributes');
    const limit = queue.settings.maximumMessageSize;
    if (messageSize(body, attributes) > limit)
      throw sqsErrors.invalidParameterValue(
        `One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`,
      );
    const delay = int(input, 'DelaySeconds', 0, 900, 'Must be >= 0 and <= 900, if provided.');
    const groupId = str(input, 'MessageGroupId');
    const deduplicationId = str(input, 'MessageDeduplicationId');
    if (queue.fifo) {
      if (delay !== undefined && delay !== 0)
        throw sqsErrors.invalidValue(
          'DelaySeconds',
          delay,
          'The request include parameter that is not valid for this queue type.',
        );
      if (groupId === undefined) throw sqsErrors.missingParameter('MessageGroupId');
      if (deduplicationId === undefined && !queue.settings.contentBasedDeduplication)
        throw sqsErrors.invalidParameterValue(
          'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        );
    } else if (deduplicationId !== undefined) {
      throw sqsErrors.invalidValue(
        'MessageDeduplicationId',
        deduplicationId,
        'The request include parameter that is not valid for this queue type.',
      );
    }
    return queue.send({
      body,
      senderId: SENDER_ID,
      ...(delay !== undefined ? { delaySeconds: delay } : {}),
      ...(attributes ? { messageAttributes: attributes } : {}),
      ...(system ? { systemAttributes: system } : {}),
      ...(groupId !== undefined ? { groupId } : {}),
      ...(deduplicationId !== undefined ? { deduplicationId } : {}),
    });
  }

  private sendBatch(input: Input): unknown {
    const queue = this.queueOf(input);
    const entries = checkBatch(input, 'SendMessageBatchRequestEntry');
    let total = 0;
    for (const entry of entries) {
      const attrs = isObject(entry.MessageAttributes)
        ? (entry.MessageAttributes as Record<string, MessageAttributeValue>)
        : undefined;
      total += messageSize(typeof entry.MessageBody === 'string' ? entry.MessageBody : '', attrs);
    }
    if (total > queue.settings.maximumMessageSize)
      throw sqsErrors.batchRequestTooLong(queue.settings.maximumMessageSize, total);
    const result = this.batchEntries(queue, entries, (q, entry) => sendOutput(this.sendOne(q, entry)));
    this.wake(queue);
    return result;
  }

  private batch(
    input: Input,
    entryName: string,
    run: (queue: Queue, entry: Input) => Record<string, unknown>,
  ): unknown {
    const queue = this.queueOf(input);
    return this.batchEntries(queue, checkBatch(input, entryName), run);
  }

  private batchEntries(queue: Queue, entries: Input[], run: (queue: Queue, entry: Input) => Record<string, unknown>) {
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const entry of entries) {
      try {
        Successful.push({ Id: entry.Id, ...run(queue, entry) });
      } catch (e) {
        const error = e as { queryCode?: string; message: string; senderFault?: boolean };
        if (error.queryCode === undefined) throw e;
        Failed.push({
          Id: entry.Id,
          SenderFault: error.senderFault ?? true,
          Code: error.queryCode,
          Message: error.message,
        });
      }
    }
    return { Successful, Failed };
  }

  private changeVisibility(queue: Queue, input: Input): void {
    const handle = str(input, 'ReceiptHandle');
    if (handle === undefined) throw sqsErrors.missingParameter('ReceiptHandle');
    const seconds = int(input, 'VisibilityTimeout', 0, 43_200, 'Must be >= 0 and <= 43200, if provided.');
    if (seconds === undefined) throw sqsErrors.missingParameter('VisibilityTimeout');
    const outcome = queue.changeVisibility(handle, seconds);
    if (outcome === 'invalid') throw sqsErrors.receiptHandleIsInvalid(handle);
    if (outcome === 'notInflight') throw sqsErrors.messageNotInflight();
    if (seconds === 0) this.wake(queue);
  }

  /** Moves a message that passed maxReceiveCount to its queue's dead-letter queue. */
  private deadLetter(queue: Queue): (m: StoredMessage) => boolean {
    return (message) => {
      const target = queue.settings.redrive && this.queueByArn(queue.settings.redrive.deadLetterTargetArn);
      if (!target) return false;
      target.accept(message, queue.arn);
      this.wake(target);
      return true;
    };
  }

  /**
   * Receives as ReceiveMessage does, waiting up to `waitSeconds` of local time for a message (long
   * polling). Used by the API and by event source mappings.
   */
  async receive(
    queue: Queue,
    max: number,
    visibilityTimeout: number | undefined,
    waitSeconds: number,
    signal?: AbortSignal,
  ): Promise<Received[]> {
    const deadline = this.now() + waitSeconds * 1000;
    for (;;) {
      if (this.queues.get(queue.name) !== queue) throw sqsErrors.queueDoesNotExist();
      const received = queue.receive(max, visibilityTimeout, this.deadLetter(queue));
      const left = deadline - this.now();
      if (received.length > 0 || left <= 0 || signal?.aborted || this.closing.signal.aborted) return received;
      const next = queue.nextVisibleIn();
      await this.waitFor(queue, Math.min(left, next ?? left), signal);
    }
  }

  /** Waits `ms` of local time, or less when a message arrives or the queue changes. */
  private waitFor(queue: Queue, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(queue.name);
      if (!set) this.waiters.set(queue.name, (set = new Set()));
      const waiters = set;
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        signal?.removeEventListener('abort', done);
        this.closing.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, this.time.scaled(ms)));
      waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
      this.closing.signal.addEventListener('abort', done, { once: true });
    });
  }

  private async receiveMessage(input: Input): Promise<unknown> {
    const queue = this.queueOf(input);
    const max = int(input, 'MaxNumberOfMessages', 1, 10, 'Must be between 1 and 10, if provided.') ?? 1;
    const visibility = int(input, 'VisibilityTimeout', 0, 43_200, 'Must be >= 0 and <= 43200, if provided.');
    const wait =
      int(input, 'WaitTimeSeconds', 0, 20, 'Must be >= 0 and <= 20, if provided.') ??
      queue.settings.receiveMessageWaitTimeSeconds;
    const received = await this.receive(queue, max, visibility, wait);
    const systemNames = [
      ...(Array.isArray(input.AttributeNames) ? input.AttributeNames : []),
      ...(Array.isArray(input.MessageSystemAttributeNames) ? input.MessageSystemAttributeNames : []),
    ].map(String);
    const attributeNames = Array.isArray(input.MessageAttributeNames) ? input.MessageAttributeNames.map(String) : [];
    if (received.length === 0) return {};
    return {
      Messages: received.map((r) => messageOutput(r, systemNames, attributeNames)),
    };
  }

  private startMoveTask(input: Input): unknown {
    const sourceArn = str(input, 'SourceArn');
    if (sourceArn === undefined) throw sqsErrors.missingParameter('SourceArn');
    const source = this.queueByArn(sourceArn);
    if (!source)
      throw sqsErrors.resourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.");
    const destinationArn = str(input, 'DestinationArn');
    const destination = destinationArn !== undefined ? this.queueByArn(destinationArn) : undefined;
    if (destinationArn !== undefined && !destination)
      throw sqsErrors.resourceNotFound(
        "The resource that you specified for the DestinationArn parameter doesn't exist.",
      );
    if (!this.list().some((q) => q.settings.redrive?.deadLetterTargetArn === sourceArn))
      throw sqsErrors.invalidParameterValue('Source queue must be configured as a Dead Letter Queue.');
    const rate = int(input, 'MaxNumberOfMessagesPerSecond', 1, 500, 'Must be between 1 and 500, if provided.');
    const messages = source.visible();
    let moved = 0;
    for (const message of messages) {
      // Without a destination each message goes back to the queue it was dead-lettered from; one
      // whose queue is gone stays. Into the target first, then out of the source: a crash in
      // between (with --data-dir) leaves it in both rather than in neither.
      const target =
        destination ?? (message.deadLetterSourceArn ? this.queueByArn(message.deadLetterSourceArn) : undefined);
      if (!target) continue;
      target.accept(message);
      source.take(message.messageId);
      this.wake(target);
      moved++;
    }
    const task: MoveTask = {
      TaskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn }), 'utf8').toString('base64'),
      Status: 'COMPLETED',
      SourceArn: sourceArn,
      ...(destinationArn !== undefined ? { DestinationArn: destinationArn } : {}),
      ...(rate !== undefined ? { MaxNumberOfMessagesPerSecond: rate } : {}),
      ApproximateNumberOfMessagesMoved: moved,
      ApproximateNumberOfMessagesToMove: messages.length,
      StartedTimestamp: Date.now(),
    };
    this.moveTasks.push(task);
    return { TaskHandle: task.TaskHandle };
  }

  /**
   * Sends a message from inside the local cloud (rule targets, dead letters, failure records);
   * undefined when the queue is gone.
   */
  sendInternal(
    queueArn: string,
    body: string,
    attributes?: Record<string, MessageAttributeValue>,
  ): SendResult | undefined {
    const queue = this.queueByArn(queueArn);
    if (!queue) return undefined;
    const input: Input = { MessageBody: body, ...(attributes ? { MessageAttributes: attributes } : {}) };
    if (queue.fifo) {
      input.MessageGroupId = 'presso';
      input.MessageDeduplicationId = randomUUID();
    }
    const result = this.sendOne(queue, input);
    this.wake(queue);
    return result;
  }

  markDeadLetterQueue(queueArn: string): void {
    this.deadLetterTargets.add(queueArn);
  }

  /** Dead-letter queues: those a redrive policy names, and those the local cloud sent dead letters to. */
  deadLetterQueues(): Queue[] {
    const arns = new Set(this.deadLetterTargets);
    for (const q of this.queues.values()) if (q.settings.redrive) arns.add(q.settings.redrive.deadLetterTargetArn);
    return [...arns].map((arn) => this.queueByArn(arn)).filter((q): q is Queue => q !== undefined);
  }

  /**
   * Keeps messages in `file` (with --data-dir, see store.ts): what it held comes back, the queues
   * made with CreateQueue at once, a stack's when its deploy makes the queue again.
   */
  persist(file: string): SqsStore {
    const store = new SqsStore(
      file,
      { origin: this.origin, speed: this.time.speed, now: this.now },
      () => this.list(),
      this.log,
    );
    this.store = store;
    for (const queue of this.queues.values()) store.attach(queue);
    for (const created of store.createdQueues()) {
      if (this.queues.has(created.name)) continue;
      try {
        this.createQueue(
          { QueueName: created.name, Attributes: created.attributes, ...(created.tags ? { tags: created.tags } : {}) },
          true,
        );
      } catch (e) {
        this.log(
          `[sqs] the queue ${created.name} made with CreateQueue before the restart was not made again: ${(e as Error).message}`,
        );
      }
    }
    return store;
  }

  close(): void {
    this.closing.abort();
    this.store?.close();
  }
}

function checkBatch(input: Input, entryName: string): Input[] {
  const entries = Array.isArray(input.Entries) ? input.Entries.filter(isObject) : [];
  if (entries.length === 0) throw sqsErrors.emptyBatch(entryName);
  if (entries.length > 10) throw sqsErrors.tooManyEntries(entries.length);
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = typeof entry.Id === 'string' ? entry.Id : '';
    if (!BATCH_ID.test(id)) throw sqsErrors.invalidBatchEntryId();
    if (seen.has(id)) throw sqsErrors.batchIdsNotDistinct(id);
    seen.add(id);
  }
  return entries;
}

const DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;

/** Message attributes as given; checked as SQS checks them. */
function messageAttributes(raw: unknown, member: string): Record<string, MessageAttributeValue> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw sqsErrors.invalidParameterValue(`${member} must be a map.`);
  const names = Object.keys(raw);
  if (names.length === 0) return undefined;
  if (names.length > MAX_ATTRIBUTES)
    throw sqsErrors.invalidParameterValue(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`,
    );
  const out: Record<string, MessageAttributeValue> = {};
  for (const name of names) {
    const value = raw[name];
    if (!isObject(value) || typeof value.DataType !== 'string' || !DATA_TYPE.test(value.DataType))
      throw sqsErrors.invalidParameterValue(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    const binary = value.DataType.startsWith('Binary');
    const v = binary ? value.BinaryValue : value.StringValue;
    if (typeof v !== 'string' || v === '')
      throw sqsErrors.invalidParameterValue(
        `The message attribute '${name}' must contain a non-empty message attribute value for message attribute type '${binary ? 'Binary' : value.DataType.split('.')[0]}'.`,
      );
    if (value.DataType.startsWith('Number') && !Number.isFinite(Number(v)))
      throw sqsErrors.invalidParameterValue(`Can't cast the value of message (user) attribute '${name}' to a number.`);
    out[name] = binary ? { DataType: value.DataType, BinaryValue: v } : { DataType: value.DataType, StringValue: v };
  }
  return out;
}

function sendOutput(r: SendResult): Record<string, unknown> {
  return {
    MessageId: r.messageId,
    MD5OfMessageBody: r.md5OfBody,
    ...(r.md5OfMessageAttributes ? { MD5OfMessageAttributes: r.md5OfMessageAttributes } : {}),
    ...(r.md5OfMessageSystemAttributes ? { MD5OfMessageSystemAttributes: r.md5OfMessageSystemAttributes } : {}),
    ...(r.sequenceNumber ? { SequenceNumber: r.sequenceNumber } : {}),
  };
}

/** The system attributes of a received message, by name. */
export function systemAttributesOf(m: StoredMessage): Record<string, string> {
  const out: Record<string, string> = {
    SenderId: m.senderId,
    SentTimestamp: String(Math.floor(m.sentAt)),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(Math.floor(m.firstReceiveAt ?? m.sentAt)),
  };
  if (m.groupId !== undefined) out.MessageGroupId = m.groupId;
  if (m.deduplicationId !== undefined) out.MessageDeduplicationId = m.deduplicationId;
  if (m.sequenceNumber !== undefined) out.SequenceNumber = m.sequenceNumber;
  if (m.deadLetterSourceArn !== undefined) out.DeadLetterQueueSourceArn = m.deadLetterSourceArn;
  const trace = m.systemAttributes?.AWSTraceHeader?.StringValue;
  if (trace !== undefined) out.AWSTraceHeader = trace;
  return out;
}

function messageOutput(r: Received, systemNames: string[], attributeNames: string[]): Record<string, unknown> {
  const m = r.message;
  const out: Record<string, unknown> = {
    MessageId: m.messageId,
    ReceiptHandle: r.receipt,
    MD5OfBody: m.md5OfBody,
    Body: m.body,
  };
  if (systemNames.length) {
    const all = systemAttributesOf(m);
    const wanted = systemNames.includes('All')
      ? all
      : Object.fromEntries(Object.entries(all).filter(([k]) => systemNames.includes(k)));
    if (Object.keys(wanted).length) out.Attributes = wanted;
  }
  if (m.messageAttributes && attributeNames.length) {
    const picked: Record<string, MessageAttributeValue> = {};
    for (const [name, value] of Object.entries(m.messageAttributes)) {
      const match = attributeNames.some(
        (n) => n === 'All' || n === '.*' || n === name || (n.endsWith('.*') && name.startsWith(n.slice(0, -1))),
      );
      if (match) picked[name] = value;
    }
    if (Object.keys(picked).length) {
      out.MessageAttributes = picked;
      // The digest covers the attributes returned (clients check it against them).
      out.MD5OfMessageAttributes = md5OfAttributes(picked);
    }
  }
  return out;
}
