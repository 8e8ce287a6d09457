import { describe, expect, it } from '@jest/globals';
import { validateChannelMessage } from '@serverlesspresso/catalog';
import { boardWaitTime, type Delivered } from '../../src/domain/board.js';
import { DETAIL_TYPE, waitTimeChanged, type WindowItem } from '../../src/domain/event.js';

const window = (eventId: string, waits: number[], version: number): WindowItem => ({
  eventId,
  drink: 'Americano',
  windowSize: 10,
  version,
  samples: waits.map((waitSeconds, i) => ({
    orderId: `o-${i}`,
    completedAt: `2025-06-01T09:0${9 - i}:00Z`,
    waitSeconds,
  })),
});
const delivered = (detail: Record<string, unknown>): Delivered => ({
  id: '5a17-1',
  time: '2025-06-01T09:09:01Z',
  'detail-type': DETAIL_TYPE,
  detail,
});

describe('boardWaitTime', () => {
  it("puts the drink's wait on the event's board, valid against the board channel's schema", () => {
    const detail = waitTimeChanged(undefined, window('NYC', [300, 200], 2))!;
    const out = boardWaitTime(delivered({ ...detail }));
    expect(out).toEqual({
      channel: '/board/NYC',
      message: {
        kind: 'waitTime',
        id: '5a17-1',
        source: 'WaitTimes.WaitTimeChanged',
        eventId: 'NYC',
        at: '2025-06-01T09:09:01Z',
        drink: 'Americano',
        averageSeconds: 250,
        samples: 2,
        latestCompletedAt: '2025-06-01T09:09:00Z',
        version: 2,
        message: 'An Americano takes about 4 minutes right now (average of the last 2).',
      },
    });
    if (typeof out === 'string') throw new Error(out);
    expect(validateChannelMessage(out.channel, out.message).errors).toEqual([]);
  });

  it('writes an underscore of the eventId as a dash, and copies no field it does not know', () => {
    const detail = { ...waitTimeChanged(undefined, window('re_Invent', [60], 1))!, userId: 'alice', windowSize: 10 };
    const out = boardWaitTime(delivered(detail));
    if (typeof out === 'string') throw new Error(out);
    expect(out.channel).toBe('/board/re-Invent');
    expect(Object.keys(out.message)).not.toContain('userId');
    expect(validateChannelMessage(out.channel, out.message).errors).toEqual([]);
  });

  it('says why it publishes nothing for a replay or a malformed event', () => {
    const detail = waitTimeChanged(undefined, window('NYC', [60], 1))!;
    expect(boardWaitTime(delivered({ ...detail, replay: true }))).toBe('a replay is history, not news');
    expect(boardWaitTime(delivered({ ...detail, eventId: 'a/b' }))).toBe('detail.eventId "a/b" is not an event id');
    expect(boardWaitTime(delivered({ ...detail, version: '2' }))).toBe(
      'detail.drink, averageSeconds, samples, latestCompletedAt and version are required',
    );
  });
});
