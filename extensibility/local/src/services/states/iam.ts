// The IAM calls of a Step Functions request: on the state machine or execution ARN the request
// names; a callback (SendTask*) on the state machine whose task holds the token, as AWS's own
// callback examples scope it.
import type { Account } from '../../arn.js';
import { callFor } from '../../iam/calls.js';
import type { CallAuthorizer } from '../../iam/iam.js';

export function statesAuthorizer(
  account: Account,
  stateMachineOfToken: (token: string) => string | undefined,
): CallAuthorizer {
  return (_request, operation = '', input = {}) => {
    const call = callFor(account, 'states', operation, {});
    const arn = ['stateMachineArn', 'executionArn', 'activityArn', 'mapRunArn', 'resourceArn']
      .map((k) => input[k])
      .find((v): v is string => typeof v === 'string');
    if (arn) return [{ ...call, resource: arn }];
    if (typeof input.taskToken === 'string')
      return [{ ...call, resource: stateMachineOfToken(input.taskToken) ?? '*' }];
    return [call];
  };
}
