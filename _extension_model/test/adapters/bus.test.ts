// The bus adapter against the local cloud's EventBridge, through a real EventBridgeClient: entries go
// in batches of 10, and when the bus refuses some entries (FailedEntryCount, an ErrorCode each; here
// a malformed Detail, which the local cloud refuses per entry as AWS does) only those are put again,
// and what is still refused at the end is thrown with its error. The client's requests are counted
// by a middleware that only watches.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CreateEventBusCommand, EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { BUS_NAME } from '@serverlesspresso/catalog';
import { startLocal, type Local } from '@serverlesspresso/testing';
import { batches, putEvents, PutEventsError } from '../../src/adapters/bus.js';

let local: Local;
let eb: EventBridgeClient;
/** Entries per PutEvents request the client sent, in order. */
let requests: number[] = [];

const entry = (n: number, detail = JSON.stringify({ n })): PutEventsRequestEntry => ({
  EventBusName: BUS_NAME,
  Source: 'test.bus-adapter',
  DetailType: `BusAdapter.Test`,
  Detail: detail,
});
/** The test's accepted events on the bus, by their `n`. */
const accepted = async () =>
  (await local.archived<{ n: number }>({ source: ['test.bus-adapter'] })).map((e) => e.detail.n).sort((a, b) => a - b);

beforeAll(async () => {
  local = await startLocal(1000);
  await local.eb.send(new CreateEventBusCommand({ Name: BUS_NAME }));
  eb = new EventBridgeClient(local.client);
  eb.middlewareStack.add(
    (next) => async (args) => {
      requests.push(((args.input as { Entries?: unknown[] }).Entries ?? []).length);
      return next(args);
    },
    { step: 'initialize' },
  );
}, 60_000);

afterAll(async () => {
  eb?.destroy();
  await local?.close();
});

beforeEach(() => {
  requests = [];
});

describe('batches', () => {
  it('cuts entries into groups of at most 10, in order', () => {
    expect(batches([...Array(23).keys()]).map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches([...Array(23).keys()]).flat()).toEqual([...Array(23).keys()]);
    expect(batches([])).toEqual([]);
  });
});

describe('putEvents on the local cloud', () => {
  it('puts 23 entries in three calls of 10, 10 and 3, each accepted once', async () => {
    const entries = Array.from({ length: 23 }, (_, i) => entry(i));
    await expect(putEvents(eb, entries)).resolves.toEqual({ put: 23 });
    expect(requests).toEqual([10, 10, 3]);
    expect(await accepted()).toEqual([...Array(23).keys()]);
  }, 30_000);

  it('puts again only the refused entries, then throws naming them with their error', async () => {
    // 100..111, of which 102 and 110 are refused every time: the other ten are accepted once.
    const entries = Array.from({ length: 12 }, (_, i) =>
      i === 2 || i === 10 ? entry(100 + i, 'not json') : entry(100 + i),
    );
    const error = await putEvents(eb, entries, { attempts: 3, backoffMs: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PutEventsError);
    const { failed, message } = error as PutEventsError;
    expect(failed.map((f) => [f.entry, f.errorCode])).toEqual([
      [entries[2], 'MalformedDetail'],
      [entries[10], 'MalformedDetail'],
    ]);
    expect(message).toBe(
      '2 of 12 events were not accepted by the bus after 3 attempt(s): BusAdapter.Test: MalformedDetail Detail is malformed.; BusAdapter.Test: MalformedDetail Detail is malformed.',
    );
    // The first put (10 + 2 entries), then twice the two refused ones, in one call each time.
    expect(requests).toEqual([10, 2, 2, 2]);
    expect((await accepted()).filter((n) => n >= 100)).toEqual([100, 101, 103, 104, 105, 106, 107, 108, 109, 111]);
  }, 30_000);

  it('puts nothing for no entries', async () => {
    await expect(putEvents(eb, [])).resolves.toEqual({ put: 0 });
    expect(requests).toEqual([]);
  });
});
