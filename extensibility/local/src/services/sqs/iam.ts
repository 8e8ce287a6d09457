// The IAM call of an SQS request, in either protocol: the JSON one (X-Amz-Target `AmazonSQS.<Op>`)
// and the query one (`Action=<Op>` in the form body or the query string). sqsAuthorization names it.
import type { Account } from '../../arn.js';
import type { CallAuthorizer } from '../../iam/iam.js';
import { isObject } from '../../json.js';
import { sqsAuthorization } from './actions.js';

export function sqsAuthorizer(account: Account): CallAuthorizer {
  return (request) => {
    const target = request.headers['x-amz-target'];
    const text = request.body.toString('utf8');
    if (typeof target === 'string') {
      let input: unknown = {};
      try {
        input = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        return undefined; // a malformed body: the service refuses it before touching anything
      }
      const operation = target.slice(target.lastIndexOf('.') + 1);
      return [sqsAuthorization(operation, isObject(input) ? input : {}, account)];
    }
    const form = new URLSearchParams(text);
    for (const [k, v] of request.query) if (!form.has(k)) form.set(k, v);
    const operation = form.get('Action');
    if (!operation) return undefined;
    const input: Record<string, unknown> = Object.fromEntries(form);
    // The query protocol names the queue by the request's path (`/<account>/<name>`) as often as by QueueUrl.
    if (input.QueueUrl === undefined && request.path !== '/') input.QueueUrl = `http://edge${request.path}`;
    return [sqsAuthorization(operation, input, account)];
  };
}
