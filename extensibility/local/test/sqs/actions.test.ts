// The IAM action and resource of each SQS request, for the edge's policy evaluation.
import { describe, expect, it } from '@jest/globals';
import { sqsAuthorization } from '../../src/services/sqs/actions.js';

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
