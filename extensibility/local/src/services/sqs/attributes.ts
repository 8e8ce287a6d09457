// Queue attributes as CreateQueue and SetQueueAttributes take them (strings, AWS's names and
// ranges) and as GetQueueAttributes answers them.
import { parseArn } from '../../arn.js';
import { isObject } from '../../json.js';
import { sqsErrors } from './errors.js';
import type { Queue, QueueSettings } from './queue.js';

/** The default MaximumMessageSize: 256 KiB, the limit every SQS client has known. */
export const DEFAULT_MAXIMUM_MESSAGE_SIZE = 262_144;

export const DEFAULT_SETTINGS: QueueSettings = {
  delaySeconds: 0,
  maximumMessageSize: DEFAULT_MAXIMUM_MESSAGE_SIZE,
  messageRetentionPeriod: 345_600,
  receiveMessageWaitTimeSeconds: 0,
  visibilityTimeout: 30,
  contentBasedDeduplication: false,
};

const RANGES: Record<string, [keyof QueueSettings, number, number]> = {
  DelaySeconds: ['delaySeconds', 0, 900],
  MaximumMessageSize: ['maximumMessageSize', 1024, 1_048_576],
  MessageRetentionPeriod: ['messageRetentionPeriod', 60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: ['receiveMessageWaitTimeSeconds', 0, 20],
  VisibilityTimeout: ['visibilityTimeout', 0, 43_200],
};

/** Attributes stored and answered back as given (encryption, FIFO throughput). */
const STORED = new Set([
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

export const SETTABLE = new Set([
  ...Object.keys(RANGES),
  ...STORED,
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'ContentBasedDeduplication',
  'FifoQueue',
]);

const READ_ONLY = new Set([
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
]);

export interface ParsedAttributes {
  settings: Omit<Partial<QueueSettings>, 'redrive'> & { redrive?: QueueSettings['redrive'] | null };
  fifo?: boolean;
  policy?: string;
  redriveAllowPolicy?: string;
  stored: Map<string, string>;
}

function policyDocument(name: string, text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw sqsErrors.invalidAttributeValue(name, 'the value must be a JSON document.');
  }
  if (!isObject(parsed)) throw sqsErrors.invalidAttributeValue(name, 'the value must be a JSON object.');
}

/** Reads attributes given to CreateQueue/SetQueueAttributes; throws AWS's error naming the attribute. */
export function parseAttributes(attributes: Record<string, unknown>): ParsedAttributes {
  const out: ParsedAttributes = { settings: {}, stored: new Map() };
  for (const [name, raw] of Object.entries(attributes)) {
    if (!SETTABLE.has(name)) throw sqsErrors.invalidAttributeName(name);
    const value = typeof raw === 'string' ? raw : String(raw);
    const range = RANGES[name];
    if (range) {
      const n = Number(value);
      if (value.trim() === '' || !Number.isInteger(n) || n < range[1] || n > range[2])
        throw sqsErrors.invalidAttributeValue(name, `must be an integer from ${range[1]} to ${range[2]}.`);
      (out.settings as Record<string, number>)[range[0]] = n;
    } else if (name === 'FifoQueue' || name === 'ContentBasedDeduplication') {
      if (value !== 'true' && value !== 'false') throw sqsErrors.invalidAttributeValue(name, 'must be true or false.');
      if (name === 'FifoQueue') out.fifo = value === 'true';
      else out.settings.contentBasedDeduplication = value === 'true';
    } else if (name === 'Policy') {
      if (value !== '') policyDocument(name, value);
      out.policy = value;
    } else if (name === 'RedriveAllowPolicy') {
      if (value !== '') policyDocument(name, value);
      out.redriveAllowPolicy = value;
    } else if (name === 'RedrivePolicy') {
      out.settings.redrive = value === '' ? null : parseRedrivePolicy(value);
    } else {
      out.stored.set(name, value);
    }
  }
  return out;
}

function parseRedrivePolicy(text: string): QueueSettings['redrive'] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw sqsErrors.invalidAttributeValue('RedrivePolicy', 'Redrive policy is not a valid JSON map.');
  }
  if (!isObject(parsed))
    throw sqsErrors.invalidAttributeValue('RedrivePolicy', 'Redrive policy is not a valid JSON map.');
  const arn = parsed.deadLetterTargetArn;
  if (typeof arn !== 'string' || parseArn(arn)?.service !== 'sqs')
    throw sqsErrors.invalidAttributeValue('RedrivePolicy', 'Dead-letter target ARN is not a valid SQS queue ARN.');
  const count = Number(parsed.maxReceiveCount);
  if (!Number.isInteger(count) || count < 1 || count > 1000)
    throw sqsErrors.invalidAttributeValue(
      'RedrivePolicy',
      'Value of maxReceiveCount must be an integer from 1 to 1000.',
    );
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

/** GetQueueAttributes: the names asked for ("All" for every one), as strings. */
export function queueAttributes(queue: Queue, names: string[]): Record<string, string> {
  const all = names.includes('All');
  for (const name of names)
    if (name !== 'All' && !SETTABLE.has(name) && !READ_ONLY.has(name)) throw sqsErrors.invalidAttributeName(name);
  const counts = queue.counts();
  const s = queue.settings;
  const values: Record<string, string | undefined> = {
    QueueArn: queue.arn,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.notVisible),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(queue.lastModifiedAt / 1000)),
    VisibilityTimeout: String(s.visibilityTimeout),
    MaximumMessageSize: String(s.maximumMessageSize),
    MessageRetentionPeriod: String(s.messageRetentionPeriod),
    DelaySeconds: String(s.delaySeconds),
    ReceiveMessageWaitTimeSeconds: String(s.receiveMessageWaitTimeSeconds),
    SqsManagedSseEnabled: queue.extra.get('SqsManagedSseEnabled') ?? 'true',
    Policy: queue.policy,
    RedriveAllowPolicy: queue.redriveAllowPolicy,
    RedrivePolicy: s.redrive ? JSON.stringify(s.redrive) : undefined,
    ...(queue.fifo
      ? {
          FifoQueue: 'true',
          ContentBasedDeduplication: String(s.contentBasedDeduplication),
          DeduplicationScope: queue.extra.get('DeduplicationScope') ?? 'queue',
          FifoThroughputLimit: queue.extra.get('FifoThroughputLimit') ?? 'perQueue',
        }
      : {}),
  };
  for (const [k, v] of queue.extra) values[k] ??= v;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && (all || names.includes(name))) out[name] = value;
  }
  return out;
}
