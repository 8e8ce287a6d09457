// What IAM authorizes for each SQS request: the action (`sqs:<Operation>`, as the service
// authorization reference names it) and the queue ARN it acts on. The edge's policy evaluation
// (branch iam) calls this; it does not evaluate anything itself.
import type { Account } from '../../arn.js';

export interface SqsAuthorization {
  action: string;
  /** The queue's ARN, or `*` for account-wide operations (ListQueues). */
  resource: string;
}

/** Batch operations are authorized as their single forms, as SQS does. */
const AS_SINGLE: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

const queueNameOfUrl = (url: string): string | undefined => {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // a bare path
  }
  return path.split('/').filter(Boolean).at(-1);
};

/**
 * The IAM action and resource of an SQS request (JSON protocol member names; the query protocol's
 * input after queryInput()). `operation` is the X-Amz-Target suffix or the query `Action`.
 */
export function sqsAuthorization(
  operation: string,
  input: Record<string, unknown>,
  account: Account,
): SqsAuthorization {
  const action = `sqs:${AS_SINGLE[operation] ?? operation}`;
  const arn = (name: string) => `arn:aws:sqs:${account.region}:${account.accountId}:${name}`;
  if (operation === 'ListQueues') return { action, resource: '*' };
  if (typeof input.QueueUrl === 'string') {
    const name = queueNameOfUrl(input.QueueUrl);
    if (name) return { action, resource: arn(name) };
  }
  if (typeof input.QueueName === 'string') return { action, resource: arn(input.QueueName) };
  // Move tasks act on their source queue (the DLQ).
  if (typeof input.SourceArn === 'string') return { action, resource: input.SourceArn };
  if (operation === 'CancelMessageMoveTask' && typeof input.TaskHandle === 'string') {
    try {
      const handle = JSON.parse(Buffer.from(input.TaskHandle, 'base64').toString('utf8')) as { sourceArn?: string };
      if (typeof handle.sourceArn === 'string') return { action, resource: handle.sourceArn };
    } catch {
      // not one of ours: the call itself will fail
    }
  }
  return { action, resource: '*' };
}
