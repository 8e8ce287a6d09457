// Event source mappings from a DynamoDB stream to a function: SAM's `Type: DynamoDB` events (the
// functions handler calls `streams(event, functionArn, logicalId)` for each) and
// AWS::Lambda::EventSourceMapping resources. Properties are checked as CreateEventSourceMapping
// checks them; the poller (services/dynamodb/stream-pollers.ts) does the delivering. A redeploy
// updates a mapping as UpdateEventSourceMapping does: its UUID (from the stack and logical id)
// stays, and so does its position in each shard; an unchanged one is left running as it is.
import { arns, parseArn, type Account } from '../../arn.js';
import { sqsMappingSpec, startSqsMapping, type SqsMappingDeps } from './queues.js';
import { compilePattern, InvalidEventPatternError } from '../../services/events/pattern/index.js';
import type { StreamMappingSpec, StreamPollers } from '../../services/dynamodb/stream-pollers.js';
import { DynamoDbError } from '../../services/dynamodb/service.js';
import { uuidFrom } from '../template/resolver.js';
import type { LoadedResource, SamDynamoDbEvent } from '../template/index.js';
import { DeployError, type DeployContext, type ResourceHandler } from '../model.js';
import { PropertyError } from './tables.js';
import { isObject } from '../../json.js';

type Props = Record<string, unknown>;

const STREAM_ARN = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/[^/]+\/stream\/.+$/;

function integer(p: Props, property: string, fallback: number, min: number, max: number, also?: number): number {
  const value = p[property];
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || ((n < min || n > max) && n !== also)) {
    const range = also !== undefined ? `${also}, or from ${min} to ${max}` : `from ${min} to ${max}`;
    throw new PropertyError(property, `must be an integer ${range}, got ${JSON.stringify(value)}`);
  }
  return n;
}

const bool = (p: Props, property: string): boolean => p[property] === true || p[property] === 'true';

/**
 * A mapping's settings from its properties (CreateEventSourceMapping's names; SAM's `Stream` for
 * EventSourceArn). Throws PropertyError naming the property.
 */
export function streamMappingSpec(
  p: Props,
  uuid: string,
  functionArn: string,
  streamProperty = 'EventSourceArn',
): StreamMappingSpec {
  const streamArn = p[streamProperty];
  if (typeof streamArn !== 'string' || !STREAM_ARN.test(streamArn)) {
    throw new PropertyError(
      streamProperty,
      `must be a DynamoDB stream ARN (Fn::GetAtt Table.StreamArn), got ${JSON.stringify(streamArn)}`,
    );
  }
  const position = p.StartingPosition;
  if (position !== 'TRIM_HORIZON' && position !== 'LATEST') {
    throw new PropertyError(
      'StartingPosition',
      `must be TRIM_HORIZON or LATEST for a DynamoDB stream, got ${JSON.stringify(position)}`,
    );
  }
  const types = p.FunctionResponseTypes;
  if (types !== undefined && (!Array.isArray(types) || types.some((t) => t !== 'ReportBatchItemFailures'))) {
    throw new PropertyError('FunctionResponseTypes', 'may only list ReportBatchItemFailures');
  }
  const filters = [];
  if (p.FilterCriteria !== undefined) {
    const list = isObject(p.FilterCriteria) ? p.FilterCriteria.Filters : undefined;
    if (!Array.isArray(list) || list.length > 5)
      throw new PropertyError('FilterCriteria.Filters', 'must be a list of at most 5 filters ({ Pattern: "<JSON>" })');
    for (const [i, f] of list.entries()) {
      const pattern = isObject(f) ? f.Pattern : undefined;
      try {
        filters.push(compilePattern(typeof pattern === 'string' ? pattern : JSON.stringify(pattern)));
      } catch (e) {
        if (e instanceof InvalidEventPatternError)
          throw new PropertyError(
            `FilterCriteria.Filters[${i}].Pattern`,
            `Invalid filter pattern definition. Reason: ${e.reason}`,
          );
        throw e;
      }
    }
  }
  const onFailure =
    isObject(p.DestinationConfig) && isObject(p.DestinationConfig.OnFailure)
      ? p.DestinationConfig.OnFailure.Destination
      : undefined;
  integer(p, 'ParallelizationFactor', 1, 1, 10);
  return {
    uuid,
    functionArn,
    streamArn,
    startingPosition: position,
    batchSize: integer(p, 'BatchSize', 100, 1, 10_000),
    maximumBatchingWindowInSeconds: integer(p, 'MaximumBatchingWindowInSeconds', 0, 0, 300),
    maximumRetryAttempts: integer(p, 'MaximumRetryAttempts', -1, 0, 10_000, -1),
    maximumRecordAgeInSeconds: integer(p, 'MaximumRecordAgeInSeconds', -1, 60, 604_800, -1),
    bisectBatchOnFunctionError: bool(p, 'BisectBatchOnFunctionError'),
    reportBatchItemFailures: Array.isArray(types) && types.includes('ReportBatchItemFailures'),
    filters,
    ...(typeof onFailure === 'string' ? { onFailureDestination: onFailure } : {}),
  };
}

export interface StreamMappingDeps {
  pollers: StreamPollers;
  /** SQS sources (an EventSourceArn of a queue). */
  sqs?: SqsMappingDeps;
  account: Account;
  /** Whether a function exists (by name or ARN): a mapping to a missing function fails, as in AWS. */
  functionExists(nameOrArn: string): boolean;
  log(line: string): void;
}

interface Where {
  file: string;
  logicalId: string;
  /** Put before a property's name: "Events.<Name>.Properties." for a SAM event. */
  prefix: string;
  /** The property that names the function, if the resource has one. */
  functionProperty: string | undefined;
}

/** Starts or updates the mapping's poller (stops it, keeping its position, when disabled); resolves with how to delete it. */
async function startMapping(
  deps: StreamMappingDeps,
  p: Props,
  spec: () => StreamMappingSpec,
  where: Where,
): Promise<() => Promise<void>> {
  const error = (property: string | undefined, message: string) =>
    new DeployError(
      where.file,
      where.logicalId,
      property !== undefined ? `${where.prefix}${property}` : where.prefix.replace(/\.$/, '') || undefined,
      message,
    );
  let s: StreamMappingSpec;
  try {
    s = spec();
  } catch (e) {
    if (e instanceof PropertyError) throw error(e.property, e.message);
    throw e;
  }
  if (!deps.functionExists(s.functionArn)) throw error(where.functionProperty, `Function not found: ${s.functionArn}`);
  if (p.TumblingWindowInSeconds !== undefined)
    deps.log(
      `[streams] ${where.logicalId}: TumblingWindowInSeconds is not emulated locally; batches are delivered without window state`,
    );
  if (p.Enabled === false || p.Enabled === 'false') {
    deps.log(`[streams] ${where.logicalId}: mapping ${s.uuid} is disabled; nothing is polled`);
    await deps.pollers.disable(s.uuid);
    return () => deps.pollers.stop(s.uuid);
  }
  try {
    await deps.pollers.put(s);
  } catch (e) {
    if (e instanceof DynamoDbError && e.code === 'ResourceNotFoundException')
      throw error(where.functionProperty ? 'EventSourceArn' : 'Stream', `Stream not found: ${s.streamArn}`);
    throw error(undefined, `CreateEventSourceMapping failed: ${(e as Error).message}`);
  }
  return () => deps.pollers.stop(s.uuid);
}

/**
 * For the functions handler: starts the mapping a SAM `Type: DynamoDB` event declares and
 * resolves with its undo. `ctx` (when given) names the template file in errors.
 */
export function samStreamEvents(deps: StreamMappingDeps) {
  return async (
    event: SamDynamoDbEvent,
    functionArn: string,
    logicalId: string,
    ctx?: DeployContext,
  ): Promise<() => Promise<void>> => {
    const p = { ...event.properties, Enabled: event.enabled };
    const uuid = uuidFrom(`${functionArn}/${event.mappingLogicalId}`);
    return startMapping(deps, p, () => streamMappingSpec(p, uuid, functionArn, 'Stream'), {
      file: ctx?.template.file ?? '(template)',
      logicalId,
      prefix: `Events.${event.name}.Properties.`,
      functionProperty: undefined,
    });
  };
}

/** A function's ARN from a FunctionName (name, ARN with or without qualifier, or partial ARN). */
function functionArnOf(account: Account, value: string): string {
  if (value.startsWith('arn:')) return value.split(':').slice(0, 7).join(':');
  const at = value.indexOf('function:');
  return arns.lambda(account, at >= 0 ? value.slice(at + 'function:'.length).split(':')[0]! : value);
}

/** AWS::Lambda::EventSourceMapping with a DynamoDB stream as its source. */
export function eventSourceMappingHandler(deps: StreamMappingDeps): ResourceHandler {
  const put: ResourceHandler = async (resource, ctx) => {
    const p = resource.properties;
    const source = typeof p.EventSourceArn === 'string' ? p.EventSourceArn : '';
    if (source.startsWith('arn:') && parseArn(source)?.service === 'sqs' && deps.sqs) {
      const sqs = deps.sqs;
      if (typeof p.FunctionName !== 'string' || p.FunctionName === '')
        throw new DeployError(ctx.template.file, resource.logicalId, 'FunctionName', 'is required');
      const functionArn = functionArnOf(deps.account, p.FunctionName);
      const uuid = uuidFrom(`${ctx.template.stackName}/${resource.logicalId}`);
      ctx.onDelete(
        await startSqsMapping(sqs, p, () => sqsMappingSpec(sqs, p, uuid, functionArn, 'EventSourceArn'), {
          file: ctx.template.file,
          logicalId: resource.logicalId,
          prefix: '',
        }),
      );
      return;
    }
    if (!source.includes(':dynamodb:')) {
      // SQS, Kinesis, Kafka...: the local cloud has none of these sources.
      ctx.log(
        `[stacks] ${ctx.template.stackName}: ${resource.logicalId}: event source ${source || '(none)'} is not emulated locally; nothing is polled`,
      );
      return;
    }
    if (typeof p.FunctionName !== 'string' || p.FunctionName === '')
      throw new DeployError(ctx.template.file, resource.logicalId, 'FunctionName', 'is required');
    const functionArn = functionArnOf(deps.account, p.FunctionName);
    const uuid = uuidFrom(`${ctx.template.stackName}/${resource.logicalId}`);
    const stop = await startMapping(deps, p, () => streamMappingSpec(p, uuid, functionArn), {
      file: ctx.template.file,
      logicalId: resource.logicalId,
      prefix: '',
      functionProperty: 'FunctionName',
    });
    ctx.onDelete(stop);
  };
  return Object.assign(put, {
    // The same UUID: the running poller takes the new settings where it is. Another source is
    // another mapping (CloudFormation replaces it): the old one goes first.
    async update(resource: LoadedResource, previous: LoadedResource, ctx: DeployContext) {
      if (resource.properties.EventSourceArn !== previous.properties.EventSourceArn) {
        const uuid = uuidFrom(`${ctx.template.stackName}/${resource.logicalId}`);
        await deps.pollers.stop(uuid);
        await deps.sqs?.pollers.stop(uuid);
      }
      await put(resource, ctx);
    },
  });
}
