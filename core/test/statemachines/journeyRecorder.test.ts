// The journey recorder's definition on the engine: what it writes for an order's event, and what it leaves alone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { StepFunctionsEngine, TaskError } from '@serverlesspresso/local';

const DEFINITION = readFileSync(
  new URL('../../statemachines/journeyRecorder.asl.json', import.meta.url),
  'utf8',
).replace('${JourneyTable}', 'journey-table');
const SM = {
  arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:JourneyRecorder',
  name: 'JourneyRecorder',
  definition: DEFINITION,
  type: 'EXPRESS' as const,
};

async function record(envelope: Record<string, unknown>, taken: ReadonlySet<string> = new Set()) {
  const calls: { resource: string; input: Record<string, unknown> }[] = [];
  const engine = new StepFunctionsEngine({
    taskRunner: async (resource, input) => {
      calls.push({ resource, input: input as Record<string, unknown> });
      const sk = (input as { Item: { SK: { S: string } } }).Item.SK.S;
      if (taken.has(sk))
        throw new TaskError('DynamoDB.ConditionalCheckFailedException', 'The conditional request failed');
      return {};
    },
  });
  const result = await engine.startSyncExecution({ stateMachine: SM, input: JSON.stringify(envelope) });
  engine.shutdown();
  return { status: result.status, calls };
}

const envelope = {
  version: '0',
  id: 'ev-1',
  'detail-type': 'OrderManager.MakeOrder',
  source: 'awsserverlessda.serverlesspresso',
  time: '2026-11-21T12:52:21Z',
  detail: { orderId: 'o-1', Message: 'x' },
};

describe('journey recorder state machine', () => {
  it('puts the envelope, as JSON text, under its order and its id, unless that key is taken', async () => {
    const { status, calls } = await record(envelope);
    expect(status).toBe('SUCCEEDED');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.resource).toBe('arn:aws:states:::dynamodb:putItem');
    const item = calls[0]!.input.Item as Record<string, { S?: string; N?: string }>;
    expect(calls[0]!.input.TableName).toBe('journey-table');
    expect(item.PK).toEqual({ S: 'o-1' });
    expect(item.SK).toEqual({ S: 'ev-1' });
    expect(JSON.parse(item.envelope!.S!)).toEqual(envelope);
    expect(Number(item.expiresAt!.N) - Date.now() / 1000).toBeGreaterThan(29 * 24 * 3600);
    expect(calls[0]!.input.ConditionExpression).toBe('attribute_not_exists(SK)');
  });

  it('keys an event by its idempotency key, so the same fact under a new envelope id is recorded once', async () => {
    const key = 'o-1:3:OrderManager.MakeOrder';
    const keyed = { ...envelope, detail: { orderId: 'o-1', idempotencyKey: key, Message: 'x' } };
    const first = await record(keyed);
    expect(first.status).toBe('SUCCEEDED');
    const item = first.calls[0]!.input.Item as Record<string, { S?: string }>;
    expect(item.SK).toEqual({ S: key });
    // The repeat (another envelope id) finds its key taken: the execution succeeds, the first record stays.
    const repeat = await record({ ...keyed, id: 'ev-2' }, new Set([key]));
    expect(repeat.status).toBe('SUCCEEDED');
    expect(repeat.calls).toHaveLength(1);
  });

  it('leaves events whose orderId is not a text alone', async () => {
    for (const orderId of [42, '', null]) {
      const { status, calls } = await record({ ...envelope, detail: { orderId } });
      expect(status).toBe('SUCCEEDED');
      expect(calls).toEqual([]);
    }
  });
});
