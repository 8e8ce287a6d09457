// The IAM call of a Lambda Invoke: lambda:InvokeFunction (the reference's name for Invoke) on the function.
import { nameFromNameOrArn, type Account } from '../../arn.js';
import { callFor } from '../../iam/calls.js';
import type { CallAuthorizer } from '../../iam/iam.js';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export function lambdaAuthorizer(account: Account): CallAuthorizer {
  return (request) => {
    const m = INVOKE_PATH.exec(request.path);
    const name = m ? nameFromNameOrArn(decodeURIComponent(m[1]!), ':') : undefined;
    return [callFor(account, 'lambda', 'InvokeFunction', { FunctionName: name })];
  };
}
