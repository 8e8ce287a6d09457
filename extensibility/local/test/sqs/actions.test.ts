// The IAM action and resource of each SQS request, for the edge's policy evaluation.
import { describe, expect, it } from '@jest/globals';
import type { EdgeRequest } from '../../src/edge/types.js';
import { sqsAuthorization } from '../../src/services/sqs/actions.js';
import { sqsAuthorizer } from '../../src/services/sqs/iam.js';

const account = { region: 'eu-west-1', accountId: '123456789012' };

describe('sqsAuthorization', () => {
  it('names the action and the queue ARN from the QueueUrl, whatever its host', () => {
    expect(sqsAuthorization('SendMessage', { QueueUrl: 'http://127.0.0.1:4566/123456789012/orders' }, account)).toEqual(
      { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-west-1:123456789012:orders' },
    );
    expect(
      sqsAuthorization(
        'ReceiveMessage',
        { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/a.fifo' },
        account,
      ),
    ).toEqual({ action: 'sqs:ReceiveMessage', resource: 'arn:aws:sqs:eu-west-1:123456789012:a.fifo' });
  });

  it('authorizes batches as their single operation, CreateQueue by name, ListQueues on *', () => {
    expect(sqsAuthorization('DeleteMessageBatch', { QueueUrl: '/123456789012/q' }, account).action).toBe(
      'sqs:DeleteMessage',
    );
    expect(sqsAuthorization('CreateQueue', { QueueName: 'new' }, account)).toEqual({
      action: 'sqs:CreateQueue',
      resource: 'arn:aws:sqs:eu-west-1:123456789012:new',
    });
    expect(sqsAuthorization('ListQueues', {}, account)).toEqual({ action: 'sqs:ListQueues', resource: '*' });
    expect(
      sqsAuthorization('StartMessageMoveTask', { SourceArn: 'arn:aws:sqs:eu-west-1:123456789012:dlq' }, account)
        .resource,
    ).toBe('arn:aws:sqs:eu-west-1:123456789012:dlq');
  });
});

describe('sqsAuthorizer (what the edge asks IAM for an SQS request)', () => {
  const request = (over: Partial<EdgeRequest>): EdgeRequest => ({
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: {},
    body: Buffer.from(''),
    ...over,
  });
  const authorize = sqsAuthorizer(account);

  it('reads the JSON protocol: the operation from X-Amz-Target, the queue from the body', () => {
    const calls = authorize(
      request({
        headers: { 'x-amz-target': 'AmazonSQS.SendMessageBatch' },
        body: Buffer.from(JSON.stringify({ QueueUrl: 'http://127.0.0.1:4566/123456789012/orders', Entries: [] })),
      }),
    );
    expect(calls).toEqual([{ action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-west-1:123456789012:orders' }]);
  });

  it("reads the query protocol: Action and QueueUrl from the form, or the queue from the request's path", () => {
    const form = new URLSearchParams({ Action: 'ReceiveMessage', QueueUrl: 'http://edge/123456789012/a' });
    expect(authorize(request({ body: Buffer.from(form.toString()) }))).toEqual([
      { action: 'sqs:ReceiveMessage', resource: 'arn:aws:sqs:eu-west-1:123456789012:a' },
    ]);
    expect(
      authorize(request({ path: '/123456789012/b', body: Buffer.from('Action=DeleteMessage&ReceiptHandle=r') })),
    ).toEqual([{ action: 'sqs:DeleteMessage', resource: 'arn:aws:sqs:eu-west-1:123456789012:b' }]);
  });

  it('asks nothing for a body the service will refuse anyway', () => {
    expect(authorize(request({ headers: { 'x-amz-target': 'AmazonSQS.SendMessage' }, body: Buffer.from('{') }))).toBe(
      undefined,
    );
    expect(authorize(request({ body: Buffer.from('no=action') }))).toBe(undefined);
  });
});
