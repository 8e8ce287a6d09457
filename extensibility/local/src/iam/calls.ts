// The IAM call of an API operation, from the service authorization reference: the action is the
// operation's own name when the reference has it (dynamodb:PutItem, states:StartExecution), and
// the resource is built from the ARN format of the action's resource type that the request's
// variables fill best (a Query with an IndexName is on the index, without on the table).
import type { Account } from '../arn.js';
import { actionResourceTypes, iamAction, iamArn, resourceTypeVariables } from './catalog.js';
import type { ConditionContext } from './policy/evaluate.js';
import type { IamCall } from './iam.js';

export function callFor(
  account: Account,
  prefix: string,
  operation: string,
  variables: Readonly<Record<string, string | undefined>>,
  context?: ConditionContext,
): IamCall {
  const action = iamAction(prefix, operation) ?? `${prefix}:${operation}`;
  const given = Object.fromEntries(Object.entries(variables).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  let best: { type: string; score: number } | undefined;
  for (const type of actionResourceTypes(action)) {
    const needed = resourceTypeVariables(prefix, type);
    if (!needed.every((v) => v in given)) continue;
    if (!best || needed.length > best.score) best = { type, score: needed.length };
  }
  const resource = best ? iamArn(prefix, best.type, given, account) : '*';
  return context ? { action, resource, context } : { action, resource };
}
