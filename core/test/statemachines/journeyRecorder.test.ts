// The journey recorder's definition on the engine: what it writes for an order's event, and what it leaves alone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { StepFunctionsEngine } from '@serverlesspresso/local';

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

async function record(envelope: Record<string, unknown>) {
  const calls: { resource: string; input: Record<string, unknown> }[] = [];
  const engine = new StepFunctionsEngine({
    taskRunner: async (resource, input) => (calls.push({ resource, input: input as Record<string, unknown> }), {}),
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
  it('puts the envelope, as JSON text, under its order and its id (a redelivery overwrites itself)', async () => {
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
  });

  it('leaves events whose orderId is not a text alone', async () => {
    for (const orderId of [42, '', null]) {
      const { status, calls } = await record({ ...envelope, detail: { orderId } });
      expect(status).toBe('SUCCEEDED');
      expect(calls).toEqual([]);
    }
  });
});
