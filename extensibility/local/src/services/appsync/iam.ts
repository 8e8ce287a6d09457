// AppSync Events authorizes IAM-signed requests itself (its refusals have AppSync's shape): this asks
// IAM about the role an issued key belongs to. The edge has already checked the request's signature;
// any other key is the administrator's, as everywhere on the local cloud.
import type { Iam } from '../../iam/iam.js';
import type { IamCheck } from './auth.js';

export function appsyncIamCheck(iam: Iam): IamCheck {
  return ({ action, resource, accessKeyId }) => {
    const caller = iam.callerOfKey(accessKeyId);
    return !caller || iam.refusal(caller, [{ action, resource }]) === undefined;
  };
}
