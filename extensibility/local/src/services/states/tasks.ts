// The engine's TaskRunner for the local cloud: Task states reach our own services in process.
// Covered: events:putEvents, lambda:invoke and plain Lambda ARNs, states:startExecution (each with
// the integration patterns AWS offers for it), DynamoDB's optimized integration
// (dynamodb:getItem|putItem|updateItem|deleteItem, errors "DynamoDB.<Code>", through DynamoDB
// Local), and the AWS SDK integrations (aws-sdk:<service>:<action>) of the services the local
// cloud runs (dynamodb among them, errors "DynamoDb.<Code>Exception"). A resource is checked when
// its state machine is created (checkResource): a pattern AWS does not offer is refused as AWS
// refuses it, an integration the local cloud lacks is refused naming what it has.
import { parseArn } from '../../arn.js';
import { AwsError } from '../../edge/errors.js';
import { DYNAMODB_TARGET, DynamoDbError, type DynamoDbService } from '../dynamodb/service.js';
import type { EventsService } from '../events/service.js';
import type { EntryDenial } from '../../iam/iam.js';
import type { PutEventsEntry } from '../events/put-events.js';
import type { FunctionErrorPayload } from '../lambda/functions.js';
import type { LambdaService } from '../lambda/service.js';
import {
  TaskError,
  type ExecutionDescription,
  type StateMachineType,
  type TaskContext,
  type TaskRunner,
} from './engine/index.js';
import type { StatesService } from './service.js';
import { isObject } from '../../json.js';
import { lowerFirst, upperFirst } from '../request.js';

export interface LocalTaskRunnerDeps {
  events: EventsService;
  lambda: LambdaService;
  /** Late-bound: the service needs the engine, which needs this runner. */
  states: () => StatesService;
  /** DynamoDB Local behind the local cloud; without it there are no DynamoDB integrations. */
  dynamodb?: DynamoDbService;
  /**
   * IAM: throws the TaskError of a call the state machine's role may not make (iam/tasks.ts);
   * answers the batch entries (PutEvents) it may not send, by index, which the call fails one by one.
   */
  authorize?: (resource: string, input: unknown, ctx: TaskContext) => ReadonlyMap<number, EntryDenial> | void;
}

/** The optimized DynamoDB integration's actions (request-response only). */
const DYNAMODB_OPTIMIZED = ['getItem', 'putItem', 'updateItem', 'deleteItem'];

/** A Task resource's integration pattern, as its suffix names it ('' is request-response). */
export type PatternSuffix = '' | '.sync' | '.sync:2' | '.waitForTaskToken';

/**
 * The patterns AWS offers per integration (developer guide, "Optimized integrations" and "AWS SDK
 * integrations"); CreateStateMachine refuses any other. EXPRESS machines take request-response only.
 */
const PATTERNS: Record<string, readonly PatternSuffix[]> = {
  'lambda:invoke': ['', '.waitForTaskToken'],
  'events:putEvents': ['', '.waitForTaskToken'],
  'states:startExecution': ['', '.sync', '.sync:2', '.waitForTaskToken'],
  ...Object.fromEntries(DYNAMODB_OPTIMIZED.map((action) => [`dynamodb:${action}`, ['']])),
};
/** Every AWS SDK integration: request-response and callback, never .sync. */
const SDK_PATTERNS: readonly PatternSuffix[] = ['', '.waitForTaskToken'];
const patternName = (suffix: PatternSuffix) => (suffix === '' ? 'request-response' : suffix);

/** Why a state machine cannot have a Task resource: AWS refuses it too ('aws', in AWS's words), or only the local cloud lacks it ('local'). */
export interface ResourceRefusal {
  by: 'aws' | 'local';
  message: string;
  /** What would be accepted instead. */
  hint?: string;
}

/** An AWS SDK integration: the API's operations by name, and the service's name in error names. */
export interface SdkIntegration {
  /** PascalCase, as AWS prefixes the errors: "Sfn" gives "Sfn.ExecutionDoesNotExistException". */
  errorPrefix: string;
  /** `denied`: the batch entries IAM refused one by one (PutEvents), by index. */
  call(operation: string, input: Record<string, unknown>, denied?: ReadonlyMap<number, EntryDenial>): Promise<unknown>;
}

/** "arn:aws:states:::aws-sdk:sfn:listExecutions" → { service: "sfn", operation: "ListExecutions" }. */
export function sdkIntegration(resource: string): { service: string; operation: string } | undefined {
  const match = /^arn:[^:]+:states:[^:]*:[^:]*:aws-sdk:([a-z0-9]+):([a-zA-Z0-9]+)(\.(waitForTaskToken))?$/.exec(
    resource,
  );
  return match ? { service: match[1]!, operation: match[2]!.charAt(0).toUpperCase() + match[2]!.slice(1) } : undefined;
}

/** The same JSON with every object key re-cased. */
function recase(value: unknown, key: (k: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => recase(v, key));
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [key(k), recase(v, key)]));
}

/** AWS SDK integration errors always end in "Exception", even where the service's own name does not. */
export const sdkErrorName = (prefix: string, code: string) =>
  `${prefix}.${code.endsWith('Exception') ? code : `${code}Exception`}`;

const asJsonText = (v: unknown): string | undefined =>
  v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v);

/** "arn:aws:states:::events:putEvents.waitForTaskToken" → { service: "events", action: "putEvents", suffix: ".waitForTaskToken" }. */
function integration(resource: string): { service: string; action: string; suffix: string } | undefined {
  const match = /^arn:[^:]+:states:[^:]*:[^:]*:([^:]+):([^.:]+)((\.(sync|waitForTaskToken))?(:\d+)?)$/.exec(resource);
  return match ? { service: match[1]!, action: match[2]!, suffix: match[3]! } : undefined;
}

/** The states:startExecution.sync output: DescribeExecution's shape in PascalCase, dates in epoch milliseconds. */
export function syncExecutionOutput(done: ExecutionDescription, outputAsJson: boolean): Record<string, unknown> {
  const { startDate, stopDate, output, ...rest } = done;
  const described = recase(
    { ...rest, startDate: startDate.getTime(), ...(stopDate ? { stopDate: stopDate.getTime() } : {}) },
    upperFirst,
  ) as Record<string, unknown>;
  // The output is the child's own JSON: never re-cased; ".sync:2" hands it on parsed rather than as text.
  if (output !== undefined) described.Output = outputAsJson ? (JSON.parse(output) as unknown) : output;
  return described;
}

function functionError(error: FunctionErrorPayload): TaskError {
  return new TaskError(
    error.errorType,
    JSON.stringify({
      errorMessage: error.errorMessage,
      errorType: error.errorType,
      ...(error.trace ? { trace: error.trace } : {}),
    }),
  );
}

export type OptimizedIntegration = (
  resource: string,
  input: unknown,
  ctx: TaskContext,
  denied?: ReadonlyMap<number, EntryDenial>,
) => Promise<unknown>;

export interface LocalTaskRunner extends TaskRunner {
  registerSdkIntegration(service: string, integration: SdkIntegration): void;
  /** `patterns`: the suffixes AWS offers for it (default request-response only). */
  registerOptimizedIntegration(
    serviceAction: string,
    handler: OptimizedIntegration,
    patterns?: readonly PatternSuffix[],
  ): void;
  /** Why a state machine of `type` cannot have this Task resource, or undefined when it can. */
  checkResource(resource: string, type: StateMachineType): ResourceRefusal | undefined;
}

export function createLocalTaskRunner(deps: LocalTaskRunnerDeps): LocalTaskRunner {
  const sdk = new Map<string, SdkIntegration>([
    // Step Functions' wire protocol is camelCase; its SDK integration speaks PascalCase both ways.
    [
      'sfn',
      {
        errorPrefix: 'Sfn',
        call: async (operation, input) =>
          recase(
            await deps
              .states()
              .handle(operation, recase(input, lowerFirst) as Record<string, unknown>, undefined as never),
            upperFirst,
          ),
      },
    ],
    [
      'eventbridge',
      {
        errorPrefix: 'EventBridge',
        call: async (operation, input, denied) =>
          operation === 'PutEvents'
            ? deps.events.putEntries(input.Entries as PutEventsEntry[], denied)
            : deps.events.handle(operation, input, undefined as never),
      },
    ],
  ]);

  async function sdkCall(
    service: string,
    operation: string,
    input: unknown,
    denied?: ReadonlyMap<number, EntryDenial>,
  ): Promise<unknown> {
    const integration = sdk.get(service);
    if (!integration)
      throw new TaskError(
        'States.Runtime',
        `The local cloud has no AWS SDK integration for '${service}' (available: ${[...sdk.keys()].join(', ')}).`,
      );
    try {
      return await integration.call(operation, isObject(input) ? input : {}, denied);
    } catch (e) {
      const code =
        e instanceof AwsError
          ? e.code
          : ((e as { code?: string; name?: string }).code ?? (e as { name?: string }).name);
      if (code) throw new TaskError(sdkErrorName(integration.errorPrefix, code), (e as Error).message);
      throw e;
    }
  }

  async function putEvents(
    input: unknown,
    ctx: TaskContext,
    denied?: ReadonlyMap<number, EntryDenial>,
  ): Promise<unknown> {
    const entries = isObject(input) && Array.isArray(input.Entries) ? input.Entries : undefined;
    if (!entries) throw new TaskError('States.Runtime', 'events:putEvents needs Parameters with an Entries list.');
    // As the service integration does: Detail objects go as JSON text, and the execution is named in Resources.
    const prepared: PutEventsEntry[] = entries.map((e: unknown) => {
      const entry = isObject(e) ? e : {};
      const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
      return {
        ...entry,
        Detail: asJsonText(entry.Detail),
        Resources: [...resources, ctx.stateMachineArn, ctx.executionArn],
      };
    });
    let result;
    try {
      result = deps.events.putEntries(prepared, denied);
    } catch (e) {
      if (e instanceof AwsError) throw new TaskError(`EventBridge.${e.code}`, e.message);
      throw e;
    }
    if (result.FailedEntryCount > 0) throw new TaskError('EventBridge.FailedEntry', JSON.stringify(result));
    return result;
  }

  async function invokeFunction(nameOrArn: string, payload: unknown): Promise<unknown> {
    const fn = deps.lambda.get(nameOrArn);
    if (!fn) throw new TaskError('Lambda.ResourceNotFoundException', `Function not found: ${nameOrArn}`);
    const result = await fn.invoke(payload);
    if (!result.ok) throw functionError(result.error);
    return result.payload ?? null;
  }

  async function lambdaInvoke(input: unknown): Promise<unknown> {
    const name = isObject(input) && typeof input.FunctionName === 'string' ? input.FunctionName : undefined;
    if (!name) throw new TaskError('States.Runtime', 'lambda:invoke needs Parameters with a FunctionName.');
    const payload = (input as Record<string, unknown>).Payload;
    const Payload = await invokeFunction(name, payload === undefined ? {} : payload);
    return { Payload, StatusCode: 200, ExecutedVersion: '$LATEST' };
  }

  async function startExecution(resource: string, input: unknown, ctx: TaskContext): Promise<unknown> {
    const params = isObject(input) ? input : {};
    const arn = typeof params.StateMachineArn === 'string' ? params.StateMachineArn : '';
    const states = deps.states();
    let started;
    try {
      started = states.engine.startExecution({
        stateMachine: states.ref(arn),
        ...(typeof params.Name === 'string' ? { name: params.Name } : {}),
        ...(params.Input !== undefined ? { input: asJsonText(params.Input)! } : {}),
      });
    } catch (e) {
      const code = e instanceof AwsError ? e.code : (e as { code?: string }).code;
      if (code) throw new TaskError(`StepFunctions.${code}Exception`, (e as Error).message);
      throw e;
    }
    if (ctx.integrationPattern !== 'sync')
      return { ExecutionArn: started.executionArn, StartDate: started.startDate.getTime() };
    // .sync: the child runs to its end; stopping the parent stops the child, as in AWS.
    const stopChild = () => {
      if (states.engine.describeExecution(started.executionArn).status === 'RUNNING')
        states.engine.stopExecution(started.executionArn, undefined, 'The parent execution stopped.');
    };
    ctx.signal.addEventListener('abort', stopChild, { once: true });
    const done = await states.engine.waitForExecution(started.executionArn);
    ctx.signal.removeEventListener('abort', stopChild);
    const output = syncExecutionOutput(done, resource.endsWith('.sync:2'));
    if (done.status !== 'SUCCEEDED') throw new TaskError('States.TaskFailed', JSON.stringify(output));
    return output;
  }

  /** Optimized integrations by "service:action" (the pattern suffix aside); their patterns are in PATTERNS. */
  const patterns = new Map<string, readonly PatternSuffix[]>(Object.entries(PATTERNS));
  const optimized = new Map<string, OptimizedIntegration>([
    ['events:putEvents', (_resource, input, ctx, denied) => putEvents(input, ctx, denied)],
    ['lambda:invoke', (_resource, input) => lambdaInvoke(input)],
    ['states:startExecution', (resource, input, ctx) => startExecution(resource, input, ctx)],
  ]);
  const dynamodb = deps.dynamodb;
  if (dynamodb) {
    sdk.set('dynamodb', {
      errorPrefix: 'DynamoDb',
      call: (operation, input) => dynamodb.call(DYNAMODB_TARGET, operation, input),
    });
    for (const action of DYNAMODB_OPTIMIZED) {
      optimized.set(`dynamodb:${action}`, async (_resource, input) => {
        try {
          return await dynamodb.call(DYNAMODB_TARGET, upperFirst(action), isObject(input) ? input : {});
        } catch (e) {
          // The optimized integration names errors after the API's own codes, under "DynamoDB.".
          if (e instanceof DynamoDbError) {
            throw new TaskError(
              `DynamoDB.${e.code}`,
              `${e.message} (Service: AmazonDynamoDBv2; Status Code: ${e.status}; Error Code: ${e.code}; Proxy: null)`,
            );
          }
          throw e;
        }
      });
    }
  }
  const isFunctionArn = (resource: string) => {
    const parsed = parseArn(resource);
    return parsed?.service === 'lambda' && parsed.resource.startsWith('function:');
  };
  const supportedList = () =>
    `${[...optimized.keys()].join(', ')}, Lambda function ARNs, aws-sdk:{${[...sdk.keys()].join(',')}}:*`;

  /** The patterns a resource's integration offers and the one it asks for (undefined: not an integration the local cloud has). */
  function resolvePattern(
    resource: string,
  ): { name: string; offered: readonly PatternSuffix[]; suffix: string } | undefined {
    const viaSdk = sdkIntegration(resource);
    if (viaSdk)
      return sdk.has(viaSdk.service)
        ? {
            name: `aws-sdk:${viaSdk.service}`,
            offered: SDK_PATTERNS,
            suffix: resource.endsWith('.waitForTaskToken') ? '.waitForTaskToken' : '',
          }
        : undefined;
    const target = integration(resource);
    if (target) {
      const key = `${target.service}:${target.action}`;
      return optimized.has(key) ? { name: key, offered: patterns.get(key) ?? [''], suffix: target.suffix } : undefined;
    }
    return isFunctionArn(resource) ? { name: 'a Lambda function ARN', offered: [''], suffix: '' } : undefined;
  }

  function checkResource(resource: string, type: StateMachineType): ResourceRefusal | undefined {
    // An AWS SDK resource with ".sync" is no SDK resource at all: AWS refuses it as not recognized.
    if (/^arn:[^:]+:states:[^:]*:[^:]*:aws-sdk:/.test(resource) && !sdkIntegration(resource)) {
      return {
        by: 'aws',
        message: notRecognized(resource),
        hint: `AWS SDK integrations take ${SDK_PATTERNS.map(patternName).join(' and ')}`,
      };
    }
    const found = resolvePattern(resource);
    if (!found) {
      const viaSdk = sdkIntegration(resource);
      const what = viaSdk
        ? `no AWS SDK integration for '${viaSdk.service}' locally`
        : `no local integration for '${resource}'`;
      return { by: 'local', message: `${what} (supported: ${supportedList()})` };
    }
    if (!(found.offered as readonly string[]).includes(found.suffix)) {
      return {
        by: 'aws',
        message: notRecognized(resource),
        hint: `${found.name} takes ${found.offered.map(patternName).join(' and ')}`,
      };
    }
    if (type === 'EXPRESS' && found.suffix !== '') {
      const pattern = found.suffix.startsWith('.sync') ? '.sync' : found.suffix;
      return {
        by: 'aws',
        message: `Express state machine does not support '${pattern}' service integration.`,
        hint: 'EXPRESS machines take request-response only',
      };
    }
    return undefined;
  }

  const run: TaskRunner = async (resource, input, ctx) => {
    // State machines are checked when created; an engine used on its own gets the same refusal at run time.
    const refusal = checkResource(resource, 'STANDARD');
    if (refusal)
      throw new TaskError(
        'States.Runtime',
        `The Task resource cannot run: ${refusal.message}${refusal.hint ? ` (${refusal.hint})` : ''}`,
      );
    const denied = deps.authorize?.(resource, input, ctx) ?? undefined;
    const viaSdk = sdkIntegration(resource);
    if (viaSdk) return sdkCall(viaSdk.service, viaSdk.operation, input, denied);
    const target = integration(resource);
    const handler = target && optimized.get(`${target.service}:${target.action}`);
    if (handler) return handler(resource, input, ctx, denied);
    return invokeFunction(resource, input);
  };
  return Object.assign(run, {
    registerSdkIntegration: (service: string, integration: SdkIntegration) => void sdk.set(service, integration),
    registerOptimizedIntegration: (
      serviceAction: string,
      handler: OptimizedIntegration,
      offered?: readonly PatternSuffix[],
    ) => {
      optimized.set(serviceAction, handler);
      patterns.set(serviceAction, offered ?? patterns.get(serviceAction) ?? ['']);
    },
    checkResource,
  });
}

/** AWS's words for a Resource it does not know. */
const notRecognized = (resource: string) =>
  `The resource provided ${resource} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.`;
