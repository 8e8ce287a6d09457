// The replay's pure logic: input, schedule, moments, tenant rewrite, archive checks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { contract, validateEvent } from '@serverlesspresso/catalog';
import { eventIdProblem } from '@serverlesspresso/core/domain';
import { archiveProblems, checkedArchive, MAX_ARCHIVE_EVENTS, type SessionArchive } from '../src/archive.js';
import {
  EVENT_ID,
  InvalidPlayerInput,
  MAX_ENTRIES_PER_PUT,
  momentAt,
  replayOptions,
  replaySecond,
  retenant,
  type Moment,
} from '../src/replay.js';

const fixture = checkedArchive(
  JSON.parse(readFileSync(new URL('./fixtures/session.fixture.json', import.meta.url), 'utf8')),
  'session.fixture.json',
);

/** Every moment of a replay, as the state machine walks them. */
function moments(
  archive: SessionArchive,
  speed: number,
  eventId?: string,
  execution?: string,
): Array<Extract<Moment, { done: false }>> {
  const out = [];
  for (let cursor = 0; ;) {
    const m = momentAt(
      archive,
      cursor,
      eventId ? { speed, eventId } : { speed },
      execution ? { bus: 'Bus', execution } : { bus: 'Bus' },
    );
    if (m.done) return out;
    out.push(m);
    cursor = m.next;
  }
}

describe('replayOptions', () => {
  it('defaults to real time, and takes the console default input', () => {
    expect(replayOptions(undefined)).toEqual({ speed: 1 });
    expect(replayOptions({})).toEqual({ speed: 1 });
    expect(replayOptions({ Comment: 'Insert your JSON here' })).toEqual({ speed: 1 });
    expect(replayOptions({ speed: 2.5, eventId: 'REPLAY_1' })).toEqual({ speed: 2.5, eventId: 'REPLAY_1' });
  });

  it.each([
    [{ speed: 0 }, 'speed: must be a positive number (1 replays in real time, 10 ten times faster), got 0'],
    [{ speed: '10' }, 'speed: must be a positive number (1 replays in real time, 10 ten times faster), got "10"'],
    [{ speed: -1 }, 'speed: must be a positive number'],
    [{ eventId: 'NYC-2' }, 'eventId: must be 1 to 40 letters, digits or underscores (e.g. "REPLAY"), got "NYC-2"'],
    [{ eventId: '' }, 'eventId: must be 1 to 40 letters'],
    [{ sped: 10 }, '"sped": not a field of the player\'s input (its fields: speed, eventId, Comment)'],
    [[1], 'the input must be a JSON object'],
    ['fast', 'the input must be a JSON object'],
  ])('refuses %j, saying which field and why', (input, message) => {
    expect(() => replayOptions(input)).toThrow(InvalidPlayerInput);
    expect(() => replayOptions(input)).toThrow(message);
  });

  it("accepts exactly the core's tenants as eventId", () => {
    for (const id of ['NYC', 'replay_2', 'A', 'x'.repeat(40), 'x'.repeat(41), 'NYC-1', 'a b', 'é', '']) {
      expect(EVENT_ID.test(id)).toBe(eventIdProblem(id) === undefined);
    }
  });
});

describe('the schedule', () => {
  it('walks every event once, in order, at most 10 per moment', () => {
    for (const speed of [0.5, 1, 4, 1000]) {
      const all = moments(fixture, speed);
      expect(all.flatMap((m) => m.entries.map((e) => e.Detail))).toEqual(fixture.events.map((e) => e.event.detail));
      for (const m of all) expect(m.entries.length).toBeLessThanOrEqual(MAX_ENTRIES_PER_PUT);
    }
  });

  it("waits whole seconds that add up to each event's offset divided by speed, rounded", () => {
    for (const speed of [1, 3, 7.5]) {
      let clock = 0;
      for (const m of moments(fixture, speed)) {
        clock += m.waitSeconds;
        for (let i = m.cursor; i < m.next; i++) {
          expect(clock).toBe(replaySecond(fixture.events[i]!.offsetMs, speed));
          expect(Math.abs(clock - fixture.events[i]!.offsetMs / 1000 / speed)).toBeLessThanOrEqual(0.5);
        }
      }
    }
  });

  it('splits a burst bigger than one PutEvents call, without waiting between the parts', () => {
    const burst = moments(fixture, 1).filter((m) => m.sessionMs === 300_000);
    expect(burst.map((m) => [m.entries.length, m.waitSeconds])).toEqual([
      [10, 60],
      [2, 0],
    ]);
  });

  it('keeps sub-second gaps apart in real time and merges them when faster', () => {
    const at = (speed: number) =>
      moments(fixture, speed).find((m) => m.entries.some((e) => e.DetailType === 'Validator.NewOrder'))!;
    expect(at(1).entries.map((e) => e.DetailType)).toEqual(['Validator.NewOrder']);
    expect(at(4).entries.map((e) => e.DetailType)).toEqual([
      'ConfigService.ConfigChanged',
      'Validator.NewOrder',
      'OrderProcessor.WorkflowStarted',
    ]);
  });

  it('says where the session is, and ends with done', () => {
    const first = momentAt(fixture, 0, { speed: 1 }, { bus: 'Bus' });
    expect(first).toMatchObject({ done: false, total: 34, sessionMs: 0, durationMs: 480_000, waitSeconds: 0 });
    expect(momentAt(fixture, 34, { speed: 1 }, { bus: 'Bus' })).toEqual({
      done: true,
      cursor: 34,
      next: 34,
      options: { speed: 1 },
      total: 34,
      sessionMs: 480_000,
      durationMs: 480_000,
    });
    expect(() => momentAt(fixture, 35, { speed: 1 }, { bus: 'Bus' })).toThrow(
      'cursor must be an event index from 0 to 34, got 35',
    );
  });

  it('puts each event as recorded onto the given bus, leaving resources and time to the replay', () => {
    const [first] = moments(fixture, 1)[0]!.entries;
    const recorded = fixture.events[0]!.event;
    expect(first).toEqual({
      Source: recorded.source,
      DetailType: recorded['detail-type'],
      Detail: recorded.detail,
      EventBusName: 'Bus',
    });
  });
});

describe('the replay marker', () => {
  const execution =
    'arn:aws:states:us-east-1:000000000000:execution:EventPlayer-EventPlayer-ABC:4f1c2d3e-0000-4000-8000-000000000000';

  it("puts the replay's execution in every event's detail, and keeps every event valid", () => {
    const entries = moments(fixture, 1, 'REPLAY', execution).flatMap((m) => m.entries);
    expect(entries.map((e) => e.DetailType)).toContain('ConfigService.ConfigChanged');
    entries.forEach((entry, i) => {
      expect(entry.Detail.replay).toBe(execution);
      expect(
        validateEvent({ ...fixture.events[i]!.event, 'detail-type': entry.DetailType, detail: entry.Detail }).errors,
      ).toEqual([]);
    });
  });

  it('every schema of the contract accepts the marker, the closed one (ConfigService.ConfigChanged) too', () => {
    for (const entry of contract) {
      const example = entry.example;
      expect({
        [entry.name]: validateEvent({ ...example, detail: { ...example.detail, replay: execution } }).errors,
      }).toEqual({ [entry.name]: [] });
    }
    // Not any value: the marker is the execution's ARN, a non-empty string.
    const config = contract.find((e) => e.name === 'ConfigService.ConfigChanged')!.example;
    expect(validateEvent({ ...config, detail: { ...config.detail, replay: '' } }).valid).toBe(false);
  });
});

describe('the tenant rewrite', () => {
  it('moves every event to the new tenant and keeps it valid against the contract', () => {
    const rewritten = moments(fixture, 1, 'REPLAY').flatMap((m) => m.entries);
    rewritten.forEach((entry, i) => {
      const recorded = fixture.events[i]!.event;
      const envelope = { ...recorded, 'detail-type': entry.DetailType, detail: entry.Detail };
      expect(validateEvent(envelope).errors).toEqual([]);
      expect(entry.Detail.eventId).toBe('REPLAY');
      // Nothing of the old tenant is left, apart from fields that merely contain the letters.
      expect(JSON.stringify(entry).match(/"NYC"|NYC-|OrderNYC/g)).toBeNull();
    });
    expect(rewritten.map((e) => e.DetailType)).toContain('OrderManager.OrderREPLAY-COMPLETED');
  });

  it('rewrites the tenant fields only', () => {
    const detail = {
      eventId: 'NYC',
      bucket: { eventId: 'NYC', bucketId: 3 },
      state: 'NYC-CREATED',
      ORDERSTATE: 'NYC-CANCELLED',
      userId: 'NYC',
      Message: 'NYC-style',
    };
    expect(retenant('OrderManager.OrderNYC-CANCELLED', detail, 'SEA')).toEqual({
      detailType: 'OrderManager.OrderSEA-CANCELLED',
      detail: {
        eventId: 'SEA',
        bucket: { eventId: 'SEA', bucketId: 3 },
        state: 'SEA-CREATED',
        ORDERSTATE: 'SEA-CANCELLED',
        userId: 'NYC',
        Message: 'NYC-style',
      },
    });
    // The original's Validator.NewOrder had the tenant only in bucket.eventId.
    expect(retenant('Validator.NewOrder', { orderId: 'o', bucket: { eventId: 'NYC' } }, 'SEA').detail).toEqual({
      orderId: 'o',
      bucket: { eventId: 'SEA' },
    });
    const same = { eventId: 'SEA' };
    expect(retenant('OrderManager.MakeOrder', same, 'SEA').detail).toBe(same);
  });
});

describe('archives', () => {
  it('the fixture is a replayable archive of valid events', () => {
    expect(archiveProblems(fixture)).toEqual([]);
    for (const { event } of fixture.events) expect(validateEvent(event).errors).toEqual([]);
  });

  it('names every problem of a malformed archive', () => {
    const event = fixture.events[0]!.event;
    expect(
      archiveProblems({
        description: 1,
        durationMs: -1,
        events: [
          { offsetMs: 5, event },
          { offsetMs: 2, event: { ...event, source: '' } },
          'x',
          { offsetMs: 9, event: { ...event, detail: null } },
        ],
      }),
    ).toEqual([
      'description: must be a string',
      'durationMs: must be a non-negative number',
      "events[1].offsetMs: 2 comes before the previous event's 5; events must be oldest first",
      'events[1].event.source: must be a non-empty string',
      'events[2]: must be an object with offsetMs and event',
      'events[3].event.detail: must be an object',
    ]);
    expect(archiveProblems([])).toEqual(['the archive must be a JSON object with description, durationMs and events']);
    expect(() => checkedArchive({ description: '', durationMs: 0 })).toThrow(
      'archive/session.json is not a replayable archive:\n  events: must be an array',
    );
  });

  it('refuses more events than one execution can replay', () => {
    const events = Array.from({ length: MAX_ARCHIVE_EVENTS + 1 }, () => fixture.events[0]!);
    expect(archiveProblems({ description: '', durationMs: 0, events })).toEqual([
      `events: ${MAX_ARCHIVE_EVENTS + 1} events, more than the ${MAX_ARCHIVE_EVENTS} one replay can hold (Step Functions' history limit); split the session`,
    ]);
    // 14 history events per moment, and 13 for the start and the end (session.test.ts counts them), under Step Functions' 25,000.
    expect(MAX_ARCHIVE_EVENTS * 14 + 13).toBeLessThan(25_000);
  });
});
