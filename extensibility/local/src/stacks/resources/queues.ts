// AWS::SQS::Queue (Ref is the queue URL, on the edge; GetAtt Arn, QueueName, QueueUrl),
// AWS::SQS::QueuePolicy (the policy is stored on each queue: enforcement is IAM's), and SQS event
// source mappings: SAM `Type: SQS` events and AWS::Lambda::EventSourceMapping with a queue ARN,
// checked as CreateEventSourceMapping checks them; services/sqs/pollers.ts does the polling.
import type { Account } from '../../arn.js';
import { parseArn } from '../../arn.js';
import { isObject } from '../../json.js';
import { SqsError } from '../../services/sqs/errors.js';
import type { SqsMappingSpec, SqsPollers } from '../../services/sqs/pollers.js';
import type { SqsService } from '../../services/sqs/service.js';
import type { LoadedResource, SamSqsEvent } from '../template/index.js';
import { uuidFrom } from '../template/resolver.js';
import { DeployError, type DeployContext, type ResourceHandler } from '../model.js';

type Props = Record<string, unknown>;

/** Queue properties that are CreateQueue attributes, under the same names. */
const ATTRIBUTES = [
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'DelaySeconds',
  'FifoQueue',
  'FifoThroughputLimit',
  'KmsDataKeyReusePeriodSeconds',
  'KmsMasterKeyId',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'RedriveAllowPolicy',
  'RedrivePolicy',
  'SqsManagedSseEnabled',
  'VisibilityTimeout',
];

/** The template's properties as CreateQueue's string attributes (policies given as objects become JSON). */
function attributesOf(p: Props): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ATTRIBUTES) {
    const value = p[key];
    if (value === undefined) continue;
    out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

const nameOfUrl = (url: string) => url.slice(url.lastIndexOf('/') + 1);

function fail(ctx: DeployContext, resource: LoadedResource, e: unknown, property?: string): never {
  if (e instanceof SqsError) {
    const named = ATTRIBUTES.find((a) => e.message.includes(a));
    throw new DeployError(ctx.template.file, resource.logicalId, property ?? named, `${e.code}: ${e.message}`);
  }
  throw e;
}

export function queueHandler(sqs: SqsService, owners: (name: string) => string | undefined): ResourceHandler {
  const create: ResourceHandler = async (resource, ctx) => {
    const name = nameOfUrl(resource.physicalId);
    if (sqs.queueByArn(sqs.arnOf(name))) {
      const owner = owners(name);
      throw new DeployError(
        ctx.template.file,
        resource.logicalId,
        'QueueName',
        owner && owner !== ctx.template.stackName
          ? `the queue ${name} exists: stack ${owner} owns it`
          : `${name} already exists`,
      );
    }
    const tags = Array.isArray(resource.properties.Tags)
      ? Object.fromEntries(resource.properties.Tags.filter(isObject).map((t) => [String(t.Key), String(t.Value)]))
      : undefined;
    try {
      sqs.createQueueFrom(name, attributesOf(resource.properties), tags);
    } catch (e) {
      fail(ctx, resource, e);
    }
    // A stack's own queue goes without QueueDeletedRecently, so it can be deployed again at once.
    ctx.onDelete(() => sqs.deleteQueue(name, { quiet: true }));
  };
  return Object.assign(create, {
    // Same name: the attributes change in place and the messages stay (SetQueueAttributes).
    async update(resource: LoadedResource, previous: LoadedResource, ctx: DeployContext) {
      const queue = sqs.queueByArn(sqs.arnOf(nameOfUrl(resource.physicalId)));
      if (!queue) return create(resource, ctx);
      const attributes = attributesOf(resource.properties);
      // What the template no longer sets goes back to its default.
      for (const key of Object.keys(attributesOf(previous.properties)))
        if (!(key in attributes) && key !== 'FifoQueue') attributes[key] = DEFAULTS[key] ?? '';
      try {
        sqs.setAttributes(queue, attributes);
      } catch (e) {
        fail(ctx, resource, e);
      }
    },
  });
}

const DEFAULTS: Record<string, string> = {
  DelaySeconds: '0',
  MaximumMessageSize: '262144',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  ContentBasedDeduplication: 'false',
};

/** AWS::SQS::QueuePolicy: sets each queue's Policy; removing it clears them. */
export function queuePolicyHandler(sqs: SqsService): ResourceHandler {
  return async (resource, ctx) => {
    const p = resource.properties;
    if (!Array.isArray(p.Queues) || p.Queues.length === 0)
      throw new DeployError(ctx.template.file, resource.logicalId, 'Queues', 'must list at least one queue URL');
    if (!isObject(p.PolicyDocument) && typeof p.PolicyDocument !== 'string')
      throw new DeployError(ctx.template.file, resource.logicalId, 'PolicyDocument', 'is required (a policy document)');
    const policy = typeof p.PolicyDocument === 'string' ? p.PolicyDocument : JSON.stringify(p.PolicyDocument);
    for (const [i, url] of p.Queues.entries()) {
      try {
        sqs.setAttributes(sqs.queueByUrl(String(url)), { Policy: policy });
      } catch (e) {
        fail(ctx, resource, e, `Queues[${i}]`);
      }
      ctx.onDelete(() => {
        const queue = sqs.queueByArn(sqs.arnOf(nameOfUrl(String(url))));
        if (queue) sqs.setAttributes(queue, { Policy: '' });
      });
    }
  };
}

export interface SqsMappingDeps {
  sqs: SqsService;
  pollers: SqsPollers;
  account: Account;
  /** The function's timeout, when it exists (a mapping to a missing function fails). */
  functionTimeout(arn: string): number | undefined;
  log(line: string): void;
}

class PropertyError extends Error {
  constructor(
    readonly property: string,
    message: string,
  ) {
    super(message);
  }
}

function integer(p: Props, property: string, fallback: number, min: number, max: number): number {
  const value = p[property];
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new PropertyError(property, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

/** A mapping's settings, checked as CreateEventSourceMapping checks them for an SQS source. */
export function sqsMappingSpec(
  deps: SqsMappingDeps,
  p: Props,
  uuid: string,
  functionArn: string,
  queueProperty: string,
): SqsMappingSpec {
  const queueArn = p[queueProperty];
  if (typeof queueArn !== 'string' || parseArn(queueArn)?.service !== 'sqs')
    throw new PropertyError(
      queueProperty,
      `must be an SQS queue ARN (Fn::GetAtt Queue.Arn), got ${JSON.stringify(queueArn)}`,
    );
  const queue = deps.sqs.queueByArn(queueArn);
  if (!queue) throw new PropertyError(queueProperty, `Queue not found: ${queueArn}`);
  const batchSize = integer(p, 'BatchSize', 10, 1, queue.fifo ? 10 : 10_000);
  const window = integer(p, 'MaximumBatchingWindowInSeconds', 0, 0, 300);
  if (batchSize > 10 && window < 1)
    throw new PropertyError(
      'MaximumBatchingWindowInSeconds',
      'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
    );
  const types = p.FunctionResponseTypes;
  if (types !== undefined && (!Array.isArray(types) || types.some((t) => t !== 'ReportBatchItemFailures')))
    throw new PropertyError('FunctionResponseTypes', 'may only list ReportBatchItemFailures');
  const timeout = deps.functionTimeout(functionArn);
  if (timeout === undefined) throw new PropertyError('FunctionName', `Function not found: ${functionArn}`);
  if (timeout > queue.settings.visibilityTimeout)
    throw new PropertyError(
      queueProperty,
      `Queue visibility timeout: ${queue.settings.visibilityTimeout} seconds is less than Function timeout: ${timeout} seconds`,
    );
  return {
    uuid,
    functionArn,
    queueArn,
    batchSize,
    maximumBatchingWindowInSeconds: window,
    reportBatchItemFailures: Array.isArray(types) && types.includes('ReportBatchItemFailures'),
  };
}

/** Starts (or updates) a mapping; resolves with how to remove it. */
export async function startSqsMapping(
  deps: SqsMappingDeps,
  p: Props,
  spec: () => SqsMappingSpec,
  where: { file: string; logicalId: string; prefix: string },
): Promise<() => Promise<void>> {
  let s: SqsMappingSpec;
  try {
    s = spec();
  } catch (e) {
    if (e instanceof PropertyError) {
      const property = e.property === 'FunctionName' && where.prefix ? undefined : `${where.prefix}${e.property}`;
      throw new DeployError(where.file, where.logicalId, property, e.message);
    }
    throw e;
  }
  if (p.Enabled === false || p.Enabled === 'false') {
    deps.log(`[sqs] ${where.logicalId}: mapping ${s.uuid} is disabled; nothing is polled`);
    await deps.pollers.stop(s.uuid);
    return () => deps.pollers.stop(s.uuid);
  }
  await deps.pollers.put(s);
  return () => deps.pollers.stop(s.uuid);
}

/** For the functions handler: the mapping a SAM `Type: SQS` event declares. */
export function samSqsEvents(deps: SqsMappingDeps) {
  return async (event: SamSqsEvent, functionArn: string, logicalId: string, ctx: DeployContext) => {
    const p = { ...event.properties, Enabled: event.enabled };
    const uuid = uuidFrom(`${functionArn}/${event.mappingLogicalId}`);
    return startSqsMapping(deps, p, () => sqsMappingSpec(deps, p, uuid, functionArn, 'Queue'), {
      file: ctx.template.file,
      logicalId,
      prefix: `Events.${event.name}.Properties.`,
    });
  };
}
