// The extension deployed on the local cloud from its own template, as `presso deploy` does, beside the
// EventPlayer (which creates the bus, as it does for an extension author without the core): the
// recorded session replayed onto the bus reaches the function through its rule, the function writes
// its table, the stack deletes alone. Redeliveries and other tenants are put with the SDK.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { BUS_NAME, contract, detailTypeOf, type EventEnvelope } from '@serverlesspresso/catalog';
import { startLocalCloud, type LocalCloud, type StackRecord } from '@serverlesspresso/local';

const extensionDir = new URL('..', import.meta.url).pathname;
const playerDir = new URL('../../extensibility/EventPlayer', import.meta.url).pathname;
const session = JSON.parse(readFileSync(`${playerDir}/archive/session.json`, 'utf8')) as { events: Array<{ event: EventEnvelope }> };
const example = contract.find((e) => e.name === 'OrderManager.Order-COMPLETED')!.example as EventEnvelope;
const cancelled = contract.find((e) => e.name === 'OrderManager.Order-CANCELLED')!.example as EventEnvelope;

let cloud: LocalCloud;
let eb: EventBridgeClient;
let db: DynamoDBDocumentClient;
let stack: StackRecord;
let player: StackRecord;

const client = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const completed = (eventId: string, orderId: string, orderNumber?: string) => ({
  EventBusName: BUS_NAME,
  Source: example.source,
  DetailType: detailTypeOf('OrderManager.Order{eventId}-COMPLETED', { eventId }),
  Detail: JSON.stringify({ ...example.detail, eventId, orderId, ORDERSTATE: `${eventId}-COMPLETED`, ...(orderNumber ? { orderNumber } : {}) }),
});

async function admin(path: string, init?: RequestInit): Promise<Record<string, unknown>> {
  const res = await fetch(new URL(path, cloud.url), init);
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: ${String(body.message)}`);
  return body;
}

async function ruleStats(): Promise<{ delivered: number; failed: number } | undefined> {
  const { Rules } = await eb.send(new ListRulesCommand({ EventBusName: BUS_NAME, NamePrefix: `${stack.name}-` }));
  expect(Rules).toHaveLength(1);
  const { rules } = (await admin('/_presso/stats')) as { rules: Record<string, { delivered: number; failed: number }> };
  return rules[Rules![0]!.Arn!];
}

const deliveredSoFar = async () => (await ruleStats())?.delivered ?? 0;

/** Resolves once the extension's rule has delivered `count` more events to the function (bounded). */
async function delivered(count: number, { after = 0 } = {}): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const rule = await ruleStats();
    if (rule && rule.failed > 0) throw new Error(`the function failed ${rule.failed} time(s)`);
    if (rule && rule.delivered >= after + count) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the rule did not deliver ${count} events within 10 s`);
}

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 1000, log: () => {} });
  const endpoint = { ...client, endpoint: cloud.url };
  eb = new EventBridgeClient(endpoint);
  db = DynamoDBDocumentClient.from(new DynamoDBClient(endpoint));
  player = await cloud.stacks.deploy({ path: playerDir, stackName: 'player', parameterOverrides: { CreateBus: 'true' } });
  stack = (await admin('/_presso/stacks', { method: 'POST', body: JSON.stringify({ path: extensionDir, stackName: 'extension-model' }) })).stack as StackRecord;
}, 120_000);

afterAll(async () => {
  eb?.destroy();
  db?.destroy();
  await cloud?.close();
});

describe('the extension on the local cloud', () => {
  it('records every completed order of the replayed session, marked as a replay', async () => {
    const table = stack.outputs.CompletedOrdersTableName!;
    const sfn = new SFNClient({ ...client, endpoint: cloud.url });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: player.outputs.EventPlayerStateMachineArn, input: JSON.stringify({ eventId: 'REPLAY' }) }));
    sfn.destroy();
    const done = await cloud.states.engine.waitForExecution(executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    const completedInSession = new Set(session.events.filter((e) => /^OrderManager\.Order.+-COMPLETED$/.test(e.event['detail-type'])).map((e) => e.event.detail.orderId));
    await delivered(completedInSession.size);

    const { Items = [] } = await db.send(new ScanCommand({ TableName: table }));
    expect(new Set(Items.map((i) => i.orderId))).toEqual(completedInSession);
    expect(Items.every((i) => i.eventId === 'REPLAY' && i.replayName === executionArn)).toBe(true);
  });

  it('records each completed order once, of every tenant, and ignores other events', async () => {
    const table = stack.outputs.CompletedOrdersTableName!;
    const before = await deliveredSoFar();
    const put = await eb.send(new PutEventsCommand({
      Entries: [
        completed('NYC', 'order-1', '101'),
        completed('BCN', 'order-2'),
        { EventBusName: BUS_NAME, Source: cancelled.source, DetailType: cancelled['detail-type'], Detail: JSON.stringify(cancelled.detail) },
        completed('NYC', 'order-1', '101'), // delivered again: EventBridge is at-least-once
      ],
    }));
    expect(put.FailedEntryCount).toBe(0);
    await delivered(3, { after: before });

    const { Items: all = [] } = await db.send(new ScanCommand({ TableName: table }));
    const Items = all.filter((i) => i.eventId !== 'REPLAY');
    expect(Items.sort((a, b) => String(a.orderId).localeCompare(String(b.orderId)))).toEqual([
      expect.objectContaining({ eventId: 'NYC', orderId: 'order-1', userId: example.detail.userId, orderNumber: '101' }),
      expect.objectContaining({ eventId: 'BCN', orderId: 'order-2', userId: example.detail.userId }),
    ]);
    expect(Items![0]!.completedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('deletes alone: its table goes with its stack', async () => {
    const table = stack.outputs.CompletedOrdersTableName!;
    await admin(`/_presso/stacks/${stack.name}`, { method: 'DELETE' });
    await expect(db.send(new DescribeTableCommand({ TableName: table }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
