// The bus adapter against the local cloud's EventBridge: a real PutEvents in which the bus refuses
// one entry (a detail that is not a JSON object: MalformedDetail, inside an HTTP 200). The good
// entries go on the bus once, whatever happens to the refused one, and the call throws naming it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { startLocalCloud, type EventEnvelope, type LocalCloud } from '@serverlesspresso/local';
import { PublishError, publish } from '../../src/adapters/bus.js';
import { orderFinishedEvent, type AnyBusEvent } from '../../src/domain/index.js';

const BUS = 'Serverlesspresso';
let cloud: LocalCloud;
const accepted: EventEnvelope[] = [];

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, log: () => {} });
  // The adapter's SDK client reads these, as a Lambda's does on the local cloud.
  process.env.AWS_ENDPOINT_URL = cloud.url;
  process.env.AWS_REGION = cloud.account.region;
  process.env.AWS_ACCESS_KEY_ID = 'presso';
  process.env.AWS_SECRET_ACCESS_KEY = 'presso';
  const client = new EventBridgeClient({});
  await client.send(new CreateEventBusCommand({ Name: BUS }));
  client.destroy();
  cloud.events.archive.subscribe(({ bus, event }) => void (bus === BUS && accepted.push(event)));
}, 120_000);

afterAll(async () => {
  await cloud?.close();
});

const finished = (orderId: string) => orderFinishedEvent({ orderId, userId: 'alice', eventId: 'NYC' });
/** An event the bus refuses: its detail is not a JSON object. */
const poison = (orderId: string): AnyBusEvent => ({ ...finished(orderId), detail: 'poison' as never });
const keysOf = (events: EventEnvelope[]) => events.map((e) => e.detail.idempotencyKey as string).sort();

describe('publish with a partial PutEvents failure', () => {
  it('puts the good entries once, and throws naming the refused one', async () => {
    accepted.length = 0;
    const good = ['o-1', 'o-2', 'o-3', 'o-4'].map(finished);
    const batch = [good[0]!, good[1]!, poison('o-bad'), good[2]!, good[3]!];
    const error = await publish(batch, { busName: BUS }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PublishError);
    expect((error as Error).message).toMatch(
      /^PutEvents to Serverlesspresso failed for 1 of 5 events after up to 4 attempts \(the others were put once\): OrderProcessor\.orderFinished: MalformedDetail Detail is malformed\.$/,
    );
    expect(keysOf(accepted)).toEqual(good.map((e) => e.detail.idempotencyKey).sort());
    expect(new Set(accepted.map((e) => e.id)).size).toBe(4);
  });

  it('sends nothing again across batches of 10: each good entry of 23 is on the bus once', async () => {
    accepted.length = 0;
    const good = Array.from({ length: 22 }, (_, i) => finished(`o-${i}`));
    const batch = [...good.slice(0, 5), poison('o-bad'), ...good.slice(5)];
    await expect(publish(batch, { busName: BUS })).rejects.toThrow(/failed for 1 of 23 events/);
    expect(accepted).toHaveLength(22);
    expect(new Set(keysOf(accepted)).size).toBe(22);
  });
});
