// WaitTimes on the board: the core and the extension deployed on the local cloud from their own
// templates (the extension given the core's RealtimeApiId output, as an operator passes it), a
// barista's WebSocket subscribed to /board/NYC, order events on the bus; the extension's own rule
// and function publish each wait time to the board (the core's template is not changed for it).
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import {
  BUS_NAME,
  EVENT_SOURCE,
  contract,
  detailTypeOf,
  validateChannelMessage,
  type EventEnvelope,
} from '@serverlesspresso/catalog';
import type { StackRecord } from '@serverlesspresso/local';
import { repo, startLocal, until, type Local } from '@serverlesspresso/testing';
import { EventsClient } from '@serverlesspresso/testing/events';

const extensionDir = new URL('..', import.meta.url).pathname;
const queuedExample = contract.find((e) => e.name === 'OrderManager.WaitingCompletion')!.example as EventEnvelope;

let local: Local;
let core: StackRecord;
let board: EventsClient;

beforeAll(async () => {
  local = await startLocal(1);
  core = await local.deploy(repo.core, 'core');
  await local.deploy(extensionDir, 'wait-times', { RealtimeApiId: core.outputs.RealtimeApiId! });
  const token = await local.token({ user: 'bart', groups: ['NYC.barista'] });
  const api = core.eventApis.RealtimeApi!;
  const auth = { host: api.dns.http, authorization: token };
  board = await EventsClient.connect(api.realtime, auth);
  await board.init();
  expect(await board.subscribe('board', '/board/NYC', auth)).toMatchObject({ type: 'subscribe_success' });
}, 180_000);

afterAll(async () => {
  board?.close();
  await local?.close();
});

const at = (minute: number) => new Date(Date.UTC(2025, 5, 1, 9, minute));
const entry = (detailType: string, detail: Record<string, unknown>, time: Date): PutEventsRequestEntry => ({
  EventBusName: BUS_NAME,
  Source: EVENT_SOURCE,
  DetailType: detailType,
  Time: time,
  Detail: JSON.stringify(detail),
});

it("publishes each drink's wait to the event's board, as the board channel's schema says", async () => {
  const orderId = 'wt-board-1';
  const put = await local.eb.send(
    new PutEventsCommand({
      Entries: [
        entry(
          'OrderManager.WaitingCompletion',
          {
            ...queuedExample.detail,
            orderId,
            eventId: 'NYC',
            state: 'NYC-CREATED',
            drinkOrder: { ...(queuedExample.detail.drinkOrder as object), drink: 'Caffe Latte' },
          },
          at(0),
        ),
        entry(
          detailTypeOf('OrderManager.Order{eventId}-COMPLETED', { eventId: 'NYC' }),
          { orderId, eventId: 'NYC', userId: 'u-1', ORDERSTATE: 'NYC-COMPLETED', Message: 'done' },
          at(3),
        ),
      ],
    }),
  );
  expect(put.FailedEntryCount).toBe(0);
  const wait = await until(
    'the wait time on the board',
    () =>
      (board.data('board') as Record<string, unknown>[]).find(
        (m) => m.kind === 'waitTime' && m.drink === 'Caffe Latte',
      ),
    { ms: 60_000, detail: () => JSON.stringify(board.data('board')) },
  );
  expect(wait).toMatchObject({
    kind: 'waitTime',
    source: 'WaitTimes.WaitTimeChanged',
    eventId: 'NYC',
    drink: 'Caffe Latte',
    averageSeconds: 180,
    samples: 1,
    version: expect.any(Number) as unknown,
  });
  expect(validateChannelMessage('/board/NYC', wait).errors).toEqual([]);
});
