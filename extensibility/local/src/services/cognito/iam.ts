// The IAM call of a Cognito user pools API request: its operation on the user pool it names.
import type { Account } from '../../arn.js';
import { callFor } from '../../iam/calls.js';
import type { CallAuthorizer } from '../../iam/iam.js';
import { isObject } from '../../json.js';
import { PUBLIC_OPERATIONS } from './api.js';

export function cognitoAuthorizer(account: Account): CallAuthorizer {
  return (request) => {
    const target = request.headers['x-amz-target'];
    if (typeof target !== 'string') return undefined;
    // SignUp and its confirmation are called with a ClientId and no credentials: nothing for IAM.
    if (PUBLIC_OPERATIONS.has(target.slice(target.lastIndexOf('.') + 1))) return [];
    let input: unknown = {};
    try {
      input = JSON.parse(request.body.toString('utf8') || '{}');
    } catch {
      return undefined; // a malformed body: the service refuses it
    }
    const poolId = isObject(input) && typeof input.UserPoolId === 'string' ? input.UserPoolId : undefined;
    return [callFor(account, 'cognito-idp', target.slice(target.lastIndexOf('.') + 1), { UserPoolId: poolId })];
  };
}
