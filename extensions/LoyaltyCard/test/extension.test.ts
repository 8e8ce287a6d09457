// The extension deployed on the local cloud from its own template, as `presso deploy` does, beside the
// core (whose bus it listens to and whose user pool its card route trusts, by the core's outputs):
// completed orders on the bus stamp their customers' cards through its rule, a full card's reward goes
// from the table's stream to the bus as LoyaltyCard.RewardEarned (read back from the local cloud's
// archive, as `presso events` does), and customers read their own card through its HTTP API with
// tokens of the core's pool. First, completions put with the SDK: the same customer's at once (racing
// for the card), and repeats; then a customer's real orders through the core's routes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, ListRulesCommand, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DescribeTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { BUS_NAME, EVENT_SOURCE, detailTypeOf, validateEvent, type EventEnvelope, type LoyaltyCardRewardEarned } from '@serverlesspresso/catalog';
import { startLocalCloud, type LocalCloud, type StackRecord } from '@serverlesspresso/local';

const extensionDir = new URL('..', import.meta.url).pathname;
const coreDir = new URL('../../../core', import.meta.url).pathname;

let cloud: LocalCloud;
let eb: EventBridgeClient;
let db: DynamoDBClient;
let stack: StackRecord;
let core: StackRecord;
let ruleArn: string;
const tokens: Record<string, string> = {};
const subs: Record<string, string> = {};

const client = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

const completed = (eventId: string, orderId: string, userId: string): PutEventsRequestEntry => ({
  EventBusName: BUS_NAME, Source: EVENT_SOURCE,
  DetailType: detailTypeOf('OrderManager.Order{eventId}-COMPLETED', { eventId }),
  Detail: JSON.stringify({ orderId, eventId, userId, ORDERSTATE: `${eventId}-COMPLETED`, Message: 'Barista has completed the order.' }),
});

async function admin(path: string, init?: RequestInit): Promise<Record<string, unknown>> {
  const res = await fetch(new URL(path, cloud.url), init);
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: ${String(body.message)}`);
  return body;
}

const deploy = async (path: string, stackName: string, parameterOverrides?: Record<string, string>) =>
  (await admin('/_presso/stacks', { method: 'POST', body: JSON.stringify({ path, stackName, ...(parameterOverrides ? { parameterOverrides } : {}) }) })).stack as StackRecord;

/** Bounded poll: resolves with the first truthy value of `probe`. */
async function until<T>(what: string, probe: () => Promise<T | undefined | false>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out (10 s) waiting for ${what}`);
}

let sent = 0;
/** Puts the entries and waits until the rule delivered them all, each a success. */
async function put(...entries: PutEventsRequestEntry[]): Promise<void> {
  expect((await eb.send(new PutEventsCommand({ Entries: entries }))).FailedEntryCount).toBe(0);
  sent += entries.length;
  await until(`${sent} deliveries`, async () => {
    const { rules } = (await admin('/_presso/stats')) as { rules: Record<string, { delivered: number; failed: number }> };
    const rule = rules[ruleArn];
    if (rule && rule.failed > 0) throw new Error(`the stamp function failed ${rule.failed} time(s)`);
    return rule !== undefined && rule.delivered >= sent;
  });
}

/** A call of the core's HTTP API as a user of its pool. */
async function coreApi(method: string, path: string, bearer: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${core.localOutputs.ApiUrl}${path}`, { method, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const answer = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** Every LoyaltyCard.RewardEarned on the bus so far, from the local cloud's archive. */
async function rewards(): Promise<EventEnvelope<LoyaltyCardRewardEarned>[]> {
  const pattern = encodeURIComponent(JSON.stringify({ 'detail-type': ['LoyaltyCard.RewardEarned'] }));
  const res = await fetch(new URL(`/_presso/events?bus=${BUS_NAME}&pattern=${pattern}`, cloud.url));
  return (await res.text()).split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as EventEnvelope<LoyaltyCardRewardEarned>);
}

async function card(eventId: string, bearer?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${stack.apis.LoyaltyApi!.url}/events/${eventId}/card`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, speed: 20, log: () => {} }); // the core's 5-minute customer timeout lasts 15 s
  const endpoint = { ...client, endpoint: cloud.url };
  eb = new EventBridgeClient(endpoint);
  db = new DynamoDBClient(endpoint);
  core = await deploy(coreDir, 'core'); // the bus, the user pool, the ordering app
  stack = await deploy(extensionDir, 'loyalty-card', { StampsPerReward: '3', UserPoolId: core.outputs.UserPoolId!, UserPoolClientId: core.outputs.UserPoolClientId! });
  const { Rules } = await eb.send(new ListRulesCommand({ EventBusName: BUS_NAME, NamePrefix: `${stack.name}-` }));
  expect(Rules).toHaveLength(1);
  ruleArn = Rules![0]!.Arn!;
  // The customers' ids are their tokens' subjects, as in the core's orders.
  for (const [user, groups] of [['ana', []], ['ben', []], ['cy', []], ['dee', []], ['ada', ['admin']], ['bart', ['barista']]] as const) {
    tokens[user] = (await admin('/_presso/token', { method: 'POST', body: JSON.stringify({ user, groups, userPool: core.outputs.UserPoolId }) })).token as string;
    subs[user] = (JSON.parse(Buffer.from(tokens[user]!.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
  }
}, 180_000);

afterAll(async () => {
  eb?.destroy();
  db?.destroy();
  await cloud?.close();
});

describe('LoyaltyCard on the local cloud', () => {
  it('stamps each completed order once and announces every third drink of a customer at an event', async () => {
    const ana = subs.ana!;
    const ben = subs.ben!;
    await put(
      completed('NYC', 'a-1', ana), completed('NYC', 'a-2', ana), completed('NYC', 'a-2', ana), completed('NYC', 'a-3', ana), // at once, a repeat among them
      completed('NYC', 'b-1', ben), completed('NYC', 'r-1', 'robot'), completed('NYC', 'r-2', 'robot'), completed('NYC', 'r-3', 'robot'),
      completed('BCN', 'a-9', ana),
    );
    await put(completed('NYC', 'a-2', ana), completed('NYC', 'a-4', ana), completed('NYC', 'b-2', ben)); // a-2 delivered again later

    // Every delivery is done: the table holds every reward there will be, and the bus gets each of them.
    const { Items } = await db.send(new ScanCommand({ TableName: stack.outputs.LoyaltyTableName!, FilterExpression: 'begins_with(sk, :reward)', ExpressionAttributeValues: { ':reward': { S: 'REWARD#' } } }));
    expect(Items).toHaveLength(1);
    const earned = await until('the reward on the bus', async () => (await rewards()).length > 0 && rewards());
    expect(earned.map((e) => e.detail)).toEqual([{
      eventId: 'NYC', userId: ana, orderId: expect.stringMatching(/^a-[1-4]$/), rewardNumber: 1, stamps: 3, stampsPerReward: 3,
      Message: 'That was your 3rd drink at NYC: your next one is on us!',
    }]);
    expect(validateEvent(earned[0]!).errors).toEqual([]);

    expect(await card('NYC', tokens.ana)).toEqual({ status: 200, body: { eventId: 'NYC', userId: ana, stamps: 4, onCard: 1, stampsPerReward: 3, stampsToNextReward: 2, rewardsEarned: 1 } });
    expect((await card('NYC', tokens.ben)).body).toMatchObject({ userId: ben, stamps: 2, stampsToNextReward: 1, rewardsEarned: 0 });
    expect((await card('BCN', tokens.ana)).body).toMatchObject({ eventId: 'BCN', stamps: 1, rewardsEarned: 0 });
  });

  it('shows a card only to its owner, with a token of the pool', async () => {
    expect(await card('NYC')).toEqual({ status: 401, body: { message: 'Unauthorized' } });
    expect((await card('NYC', tokens.cy)).body).toMatchObject({ userId: subs.cy, stamps: 0, stampsToNextReward: 3, rewardsEarned: 0 });
  });

  it('rewards a customer\'s third real order through the core', async () => {
    const { code } = (await coreApi('GET', '/events/NYC/qr-code', tokens.ada!)) as { code: string };
    for (const drink of ['Espresso', 'Flat White', 'Americano']) {
      // One open order per customer (the core's default): each is completed before the next.
      const { orderId } = (await coreApi('POST', '/events/NYC/orders', tokens.dee!, { code })) as { orderId: string };
      await until('the order to be stored', async () => (await fetch(`${core.localOutputs.ApiUrl}/orders/${orderId}`, { headers: { authorization: `Bearer ${tokens.dee}` } })).ok);
      await coreApi('PUT', `/orders/${orderId}/drink`, tokens.dee!, { drink, modifiers: [] });
      await until('the order in the queue', async () => ((await coreApi('GET', '/events/NYC/queue', tokens.bart!)).orders as { orderId: string }[]).some((o) => o.orderId === orderId));
      await coreApi('POST', `/orders/${orderId}/make`, tokens.bart!);
      await coreApi('POST', `/orders/${orderId}/complete`, tokens.bart!);
      await until('the order to be finished', async () => ((await coreApi('GET', '/events/NYC/my-orders', tokens.dee!)).orders as { orderId: string; status: string }[]).some((o) => o.orderId === orderId && o.status === 'COMPLETED'));
      if (drink === 'Americano') {
        const reward = await until('dee\'s reward on the bus', async () => (await rewards()).find((e) => e.detail.userId === subs.dee));
        expect(reward.detail).toMatchObject({ eventId: 'NYC', orderId, rewardNumber: 1, stamps: 3 });
      }
    }
    expect((await card('NYC', tokens.dee)).body).toMatchObject({ stamps: 3, onCard: 0, rewardsEarned: 1 });
  });

  it('deletes alone: its table and API go with its stack, the core stays', async () => {
    const table = stack.outputs.LoyaltyTableName!;
    await admin(`/_presso/stacks/${stack.name}`, { method: 'DELETE' });
    await expect(db.send(new DescribeTableCommand({ TableName: table }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect((await fetch(`${stack.apis.LoyaltyApi!.url}/events/NYC/card`)).status).toBe(404);
    const { stacks } = (await admin('/_presso/stacks')) as { stacks: { name: string }[] };
    expect(stacks.map((s) => s.name)).toEqual(['core']);
  });
});
