// The engine's TaskRunner for the local cloud: Task states reach our own services in process.
// Covered: events:putEvents, lambda:invoke and plain Lambda ARNs, states:startExecution (each with
// the integration patterns AWS offers for it), DynamoDB's optimized integration
// (dynamodb:getItem|putItem|updateItem|deleteItem, errors "DynamoDB.<Code>") and its AWS SDK
// integration (aws-sdk:dynamodb:<action>, errors "DynamoDb.<Code>Exception"), both through
// DynamoDB Local. Anything else fails the task with a clear error.
import { parseArn } from '../../arn.js';
import { AwsError } from '../../edge/errors.js';
import { DYNAMODB_TARGET, DynamoDbError, type DynamoDbService } from '../dynamodb/service.js';
import type { EventsService } from '../events/service.js';
import type { PutEventsEntry } from '../events/put-events.js';
import type { FunctionErrorPayload } from '../lambda/functions.js';
import type { LambdaService } from '../lambda/service.js';
import { TaskError, type TaskContext, type TaskRunner } from './engine/index.js';
import { describeExecutionOutput, type StatesService } from './service.js';

export interface LocalTaskRunnerDeps {
  events: EventsService;
  lambda: LambdaService;
  /** Late-bound: the service needs the engine, which needs this runner. */
  states: () => StatesService;
  dynamodb: DynamoDbService;
}

/** The optimized DynamoDB integration's actions (request-response only). */
const DYNAMODB_OPTIMIZED = new Set(['getItem', 'putItem', 'updateItem', 'deleteItem']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const asJsonText = (v: unknown): string | undefined => (v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v));

/** "arn:aws:states:::events:putEvents.waitForTaskToken" → { service: "events", action: "putEvents" }. */
function integration(resource: string): { service: string; action: string } | undefined {
  const match = /^arn:[^:]+:states:[^:]*:[^:]*:([^:]+):([^.:]+)(\.(sync|waitForTaskToken))?(:\d+)?$/.exec(resource);
  return match ? { service: match[1]!, action: match[2]! } : undefined;
}

/** "arn:aws:states:::aws-sdk:dynamodb:getItem[.waitForTaskToken]" → { service: "dynamodb", action: "getItem" }. */
function sdkIntegration(resource: string): { service: string; action: string; pattern?: string } | undefined {
  const match = /^arn:[^:]+:states:[^:]*:[^:]*:aws-sdk:([^:]+):([^.:]+)(?:\.([A-Za-z:0-9]+))?$/.exec(resource);
  return match ? { service: match[1]!, action: match[2]!, ...(match[3] ? { pattern: match[3] } : {}) } : undefined;
}

function functionError(error: FunctionErrorPayload): TaskError {
  return new TaskError(error.errorType, JSON.stringify({ errorMessage: error.errorMessage, errorType: error.errorType, ...(error.trace ? { trace: error.trace } : {}) }));
}

export function createLocalTaskRunner(deps: LocalTaskRunnerDeps): TaskRunner {
  async function putEvents(input: unknown, ctx: TaskContext): Promise<unknown> {
    const entries = isObject(input) && Array.isArray(input.Entries) ? input.Entries : undefined;
    if (!entries) throw new TaskError('States.Runtime', 'events:putEvents needs Parameters with an Entries list.');
    // As the service integration does: Detail objects go as JSON text, and the execution is named in Resources.
    const prepared: PutEventsEntry[] = entries.map((e: unknown) => {
      const entry = isObject(e) ? e : {};
      const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
      return { ...entry, Detail: asJsonText(entry.Detail), Resources: [...resources, ctx.stateMachineArn, ctx.executionArn] };
    });
    let result;
    try {
      result = deps.events.putEntries(prepared);
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
    if (ctx.integrationPattern !== 'sync') return { ExecutionArn: started.executionArn, StartDate: started.startDate.getTime() };
    // .sync: the child runs to its end; stopping the parent stops the child, as in AWS.
    const stopChild = () => {
      if (states.engine.describeExecution(started.executionArn).status === 'RUNNING') states.engine.stopExecution(started.executionArn, undefined, 'The parent execution stopped.');
    };
    ctx.signal.addEventListener('abort', stopChild, { once: true });
    const done = await states.engine.waitForExecution(started.executionArn);
    ctx.signal.removeEventListener('abort', stopChild);
    const output = { ...describeExecutionOutput(done), startDate: done.startDate.getTime(), stopDate: done.stopDate?.getTime() };
    if (done.status !== 'SUCCEEDED') throw new TaskError('States.TaskFailed', JSON.stringify(output));
    // ".sync:2" hands the child's output on as JSON rather than as text.
    return /\.sync:2$/.test(resource) && done.output !== undefined ? { ...output, output: JSON.parse(done.output) as unknown } : output;
  }

  /** One DynamoDB API call through DynamoDB Local, its error named as the integration names it. */
  async function dynamodb(action: string, input: unknown, optimized: boolean): Promise<unknown> {
    const operation = action.charAt(0).toUpperCase() + action.slice(1);
    try {
      return await deps.dynamodb.call(DYNAMODB_TARGET, operation, isObject(input) ? input : {});
    } catch (e) {
      if (!(e instanceof DynamoDbError)) throw e;
      if (optimized) {
        throw new TaskError(`DynamoDB.${e.code}`, `${e.message} (Service: AmazonDynamoDBv2; Status Code: ${e.status}; Error Code: ${e.code}; Proxy: null)`);
      }
      // AWS SDK integrations name errors <Service>.<Name>, with the Exception suffix added where the service leaves it out.
      const name = e.code.endsWith('Exception') ? e.code : `${e.code}Exception`;
      throw new TaskError(`DynamoDb.${name}`, `${e.message} (Service: DynamoDb, Status Code: ${e.status}, Error Code: ${e.code})`);
    }
  }

  return async (resource, input, ctx) => {
    const sdk = sdkIntegration(resource);
    if (sdk?.service === 'dynamodb') {
      if (sdk.pattern !== undefined && sdk.pattern !== 'waitForTaskToken') {
        throw new TaskError('States.Runtime', `The resource '${resource}' is not supported: AWS SDK integrations support request-response and .waitForTaskToken only.`);
      }
      return dynamodb(sdk.action, input, false);
    }
    const target = integration(resource);
    if (target?.service === 'dynamodb' && DYNAMODB_OPTIMIZED.has(target.action)) {
      if (ctx.integrationPattern !== 'request-response') {
        throw new TaskError('States.Runtime', `The resource '${resource}' is not supported: the optimized DynamoDB integration is request-response only.`);
      }
      return dynamodb(target.action, input, true);
    }
    if (target?.service === 'events' && target.action === 'putEvents') return putEvents(input, ctx);
    if (target?.service === 'lambda' && target.action === 'invoke') return lambdaInvoke(input);
    if (target?.service === 'states' && target.action === 'startExecution') return startExecution(resource, input, ctx);
    const parsed = parseArn(resource);
    if (!target && parsed?.service === 'lambda' && parsed.resource.startsWith('function:')) return invokeFunction(resource, input);
    throw new TaskError('States.Runtime', `The local cloud has no integration for the Task resource '${resource}' (supported: events:putEvents, lambda:invoke, Lambda function ARNs, states:startExecution, dynamodb:getItem|putItem|updateItem|deleteItem, aws-sdk:dynamodb:<action>).`);
  };
}
