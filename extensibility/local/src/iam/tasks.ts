// A state machine's Task states act with its role: each integration's call is authorized as the
// same API call through the edge would be (the services' own authorizers name action and
// resource), and a denied one fails the task with the integration's error and AWS's message.
import type { Account } from '../arn.js';
import type { EdgeRequest } from '../edge/types.js';
import { isObject } from '../json.js';
import { dynamoDbAuthorizer } from '../services/dynamodb/iam.js';
import { eventsAuthorizer } from '../services/events/iam.js';
import { lambdaAuthorizer } from '../services/lambda/iam.js';
import { TaskError, type TaskContext } from '../services/states/engine/index.js';
import { sdkIntegration } from '../services/states/tasks.js';
import { statesAuthorizer } from '../services/states/iam.js';
import type { EntryDenial, Iam, IamCall } from './iam.js';
import { callFor } from './calls.js';

/** The IAM prefix of an aws-sdk integration's service name (aws-sdk:sfn:... is states). */
const SDK_PREFIX: Record<string, string> = {
  sfn: 'states',
  eventbridge: 'events',
  dynamodb: 'dynamodb',
  lambda: 'lambda',
};

/** The error a denied integration fails with (the exception class the integration reports). */
const DENIED_ERROR: Record<string, string> = {
  lambda: 'Lambda.AWSLambdaException',
  dynamodb: 'DynamoDB.AmazonDynamoDBException',
  events: 'EventBridge.AmazonEventBridgeException',
  states: 'StepFunctions.AWSStepFunctionsException',
};

const fakeRequest = (headers: Record<string, string>, body: unknown, path = '/'): EdgeRequest => ({
  method: 'POST',
  path,
  query: new URLSearchParams(),
  headers,
  body: Buffer.from(JSON.stringify(body ?? {})),
});

export function taskAuthorizer(
  account: Account,
  iam: Iam,
  stateMachineOfToken: (token: string) => string | undefined,
  partitionKeyOf?: (table: string) => string | undefined,
): (resource: string, input: unknown, ctx: TaskContext) => ReadonlyMap<number, EntryDenial> | undefined {
  const dynamodb = dynamoDbAuthorizer(account, partitionKeyOf);
  const events = eventsAuthorizer(account);
  const lambda = lambdaAuthorizer(account);
  const states = statesAuthorizer(account, stateMachineOfToken);
  const pascal = (input: unknown): Record<string, unknown> => (isObject(input) ? input : {});

  function callsOf(resource: string, input: unknown): { prefix: string; calls: IamCall[]; errorPrefix?: string } {
    const sdk = sdkIntegration(resource);
    if (sdk) {
      const prefix = SDK_PREFIX[sdk.service] ?? sdk.service;
      const body = pascal(input);
      const calls =
        prefix === 'dynamodb'
          ? dynamodb(fakeRequest({ 'x-amz-target': `DynamoDB_20120810.${sdk.operation}` }, body))
          : prefix === 'events'
            ? events(fakeRequest({}, body), sdk.operation, body)
            : prefix === 'states'
              ? states(
                  fakeRequest({}, body),
                  sdk.operation,
                  Object.fromEntries(Object.entries(body).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v])),
                )
              : [callFor(account, prefix, sdk.operation, {})];
      const errorPrefix = sdk.service === 'sfn' ? 'Sfn' : sdk.service.charAt(0).toUpperCase() + sdk.service.slice(1);
      return { prefix, calls: calls ?? [], errorPrefix };
    }
    const m = /^arn:[^:]+:states:::([a-z]+):([a-zA-Z]+)/.exec(resource);
    const body = pascal(input);
    if (!m) {
      // A plain function ARN.
      const name = encodeURIComponent(resource);
      return {
        prefix: 'lambda',
        calls: lambda(fakeRequest({}, body, `/2015-03-31/functions/${name}/invocations`)) ?? [],
      };
    }
    const [, service, action] = m as unknown as [string, string, string];
    switch (service) {
      case 'lambda': {
        const name = encodeURIComponent(String(body.FunctionName ?? ''));
        return {
          prefix: 'lambda',
          calls: lambda(fakeRequest({}, body, `/2015-03-31/functions/${name}/invocations`)) ?? [],
        };
      }
      case 'events':
        return { prefix: 'events', calls: events(fakeRequest({}, body), 'PutEvents', body) ?? [] };
      case 'states':
        return {
          prefix: 'states',
          calls: [
            { ...callFor(account, 'states', 'StartExecution', {}), resource: String(body.StateMachineArn ?? '*') },
          ],
        };
      case 'dynamodb':
        return {
          prefix: 'dynamodb',
          calls:
            dynamodb(
              fakeRequest(
                { 'x-amz-target': `DynamoDB_20120810.${action.charAt(0).toUpperCase()}${action.slice(1)}` },
                body,
              ),
            ) ?? [],
        };
      default:
        return { prefix: service, calls: [] };
    }
  }

  return (resource, input, ctx) => {
    const caller = iam.callerFor(ctx.stateMachineArn);
    if (!caller) return undefined;
    const { prefix, calls, errorPrefix } = callsOf(resource, input);
    const { refusal: message, entries } = iam.check(caller, calls);
    // Entries denied one by one fail in PutEvents' answer (the task then fails with EventBridge.FailedEntry).
    if (message === undefined) return entries;
    throw new TaskError(
      errorPrefix ? `${errorPrefix}.AccessDeniedException` : (DENIED_ERROR[prefix] ?? 'States.TaskFailed'),
      message,
    );
  };
}
