// presso dlq's one line on Lambda's failure records (the shapes Lambda sends to an OnFailure queue).
import { describe, expect, it } from '@jest/globals';
import { describeFailure } from '../src/commands/dlq.js';

const fn = 'arn:aws:lambda:us-east-1:000000000000:function:core-OrderWorkflowEventsFunction-X1';

describe('describeFailure', () => {
  it("names an asynchronous invocation's event, function, error and attempts", () => {
    const record = {
      version: '1.0',
      requestContext: {
        requestId: 'r1',
        functionArn: `${fn}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: { id: 'e1', 'detail-type': 'OrderProcessor.WaitingCompletion', detail: { orderId: 'o1' } },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'OrderNotYetStored', errorMessage: 'Order o1 is not stored yet.' },
    };
    expect(describeFailure(JSON.stringify(record))).toBe(
      'event e1 OrderProcessor.WaitingCompletion (order o1), function core-OrderWorkflowEventsFunction-X1: OrderNotYetStored: Order o1 is not stored yet. after 3 attempt(s), RetriesExhausted',
    );
  });

  it("names a stream batch's place in its shard", () => {
    const record = {
      requestContext: {
        requestId: 'r2',
        functionArn: fn,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 11,
      },
      DDBStreamBatchInfo: {
        shardId: 'shardId-1',
        startSequenceNumber: '100',
        endSequenceNumber: '100',
        batchSize: 1,
        streamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/2026',
      },
    };
    expect(describeFailure(JSON.stringify(record))).toBe(
      'stream batch of 1 record(s) 100..100 of shardId-1 (arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/2026), function core-OrderWorkflowEventsFunction-X1: 11 attempt(s), RetryAttemptsExhausted; redrive reads them again from the shard',
    );
  });

  it('says nothing of anything else', () => {
    expect(describeFailure('{"detail-type":"x"}')).toBeUndefined();
    expect(describeFailure('not json')).toBeUndefined();
  });
});
