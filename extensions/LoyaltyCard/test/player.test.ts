// The extension beside the EventPlayer, as an extension author builds it without the core: the
// player (CreateBus=true) replays the recorded 15-minute session under its own tenant. With a card of
// one stamp every replayed completion earns exactly one reward: the rewards on the bus are the
// replayed completions, and each customer's are numbered 1, 2, ... on their own card.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { BUS_NAME, validateEvent, type EventEnvelope, type LoyaltyCardRewardEarned } from '@serverlesspresso/catalog';
import { startLocalCloud, type LocalCloud, type StackRecord } from '@serverlesspresso/local';

const extensionDir = new URL('..', import.meta.url).pathname;
const playerDir = new URL('../../../extensibility/EventPlayer', import.meta.url).pathname;
const TENANT = 'REPLAY';
/** How many orders the recording completed, as its archive says. */
const RECORDED_COMPLETIONS = (JSON.parse(readFileSync(`${playerDir}/archive/session.json`, 'utf8')) as { recording: { counts: Record<string, number> } }).recording.counts['OrderManager.OrderNYC-COMPLETED']!;

let cloud: LocalCloud;
let eb: EventBridgeClient;
let sfn: SFNClient;
let stack: StackRecord;
let player: StackRecord;

const client = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

async function admin(path: string, init?: RequestInit): Promise<Record<string, unknown>> {
  const res = await fetch(new URL(path, cloud.url), init);
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: ${String(body.message)}`);
  return body;
}

const deploy = async (path: string, stackName: string, parameterOverrides?: Record<string, string>) =>
  (await admin('/_presso/stacks', { method: 'POST', body: JSON.stringify({ path, stackName, ...(parameterOverrides ? { parameterOverrides } : {}) }) })).stack as StackRecord;

/** Bounded poll: resolves with the first truthy value of `probe`. */
async function until<T>(what: string, probe: () => Promise<T | undefined | false>, seconds = 15): Promise<T> {
  for (let i = 0; i < seconds * 20; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out (${seconds} s) waiting for ${what}`);
}

/** The events of the bus's archive that match a pattern, as `presso events --pattern` reads them. */
async function archived<D = Record<string, unknown>>(pattern: unknown): Promise<EventEnvelope<D>[]> {
  const res = await fetch(new URL(`/_presso/events?bus=${BUS_NAME}&pattern=${encodeURIComponent(JSON.stringify(pattern))}`, cloud.url));
  return (await res.text()).split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as EventEnvelope<D>);
}

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 200, log: () => {} });
  const endpoint = { ...client, endpoint: cloud.url };
  eb = new EventBridgeClient(endpoint);
  sfn = new SFNClient(endpoint);
  player = await deploy(playerDir, 'player', { CreateBus: 'true' });
  stack = await deploy(extensionDir, 'loyalty-card', { StampsPerReward: '1' });
}, 180_000);

afterAll(async () => {
  eb?.destroy();
  sfn?.destroy();
  await cloud?.close();
});

describe('LoyaltyCard beside the EventPlayer', () => {
  it('stamps every replayed completion once, each customer on their own card', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: player.outputs.EventPlayerStateMachineArn!, input: JSON.stringify({ speed: 1, eventId: TENANT }) }));
    const status = await until('the replay to end', async () => {
      const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return status !== 'RUNNING' && status;
    }, 120);
    expect(status).toBe('SUCCEEDED');

    const completions = await archived({ resources: [executionArn], 'detail-type': [{ wildcard: 'OrderManager.Order*-COMPLETED' }] });
    expect(completions).toHaveLength(RECORDED_COMPLETIONS);
    const { Rules } = await eb.send(new ListRulesCommand({ EventBusName: BUS_NAME, NamePrefix: `${stack.name}-` }));
    await until(`${completions.length} deliveries`, async () => {
      const { rules } = (await admin('/_presso/stats')) as { rules: Record<string, { delivered: number; failed: number }> };
      const rule = rules[Rules![0]!.Arn!]!;
      if (rule.failed > 0) throw new Error(`the stamp function failed ${rule.failed} time(s)`);
      return rule.delivered === completions.length;
    });

    const expected = completions.map((e) => `${String(e.detail.userId)} ${String(e.detail.orderId)}`).sort();
    const rewards = await until('a reward for every completion', async () => {
      const put = await archived<LoyaltyCardRewardEarned>({ 'detail-type': ['LoyaltyCard.RewardEarned'] });
      return put.length >= expected.length && put;
    });
    expect(rewards.map((e) => `${e.detail.userId} ${e.detail.orderId}`).sort()).toEqual(expected);
    const numbers = new Map<string, number[]>();
    for (const e of rewards) {
      expect(e.detail).toMatchObject({ eventId: TENANT, stamps: e.detail.rewardNumber, stampsPerReward: 1 });
      expect(validateEvent(e).errors).toEqual([]);
      numbers.set(e.detail.userId, [...(numbers.get(e.detail.userId) ?? []), e.detail.rewardNumber]);
    }
    for (const [userId, got] of numbers) {
      const completed = completions.filter((e) => e.detail.userId === userId).length;
      expect(got.sort((a, b) => a - b)).toEqual(Array.from({ length: completed }, (_, i) => i + 1));
    }
  }, 180_000);
});
