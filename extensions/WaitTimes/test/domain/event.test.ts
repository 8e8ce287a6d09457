import { describe, expect, it } from '@jest/globals';
import { validateEvent } from '@serverlesspresso/catalog';
import { DETAIL_TYPE, humanWait, waitTimeChanged, type WindowItem } from '../../src/domain/event.js';

const window = (waits: number[], version: number): WindowItem => ({
  eventId: 'NYC',
  drink: 'Americano',
  windowSize: 10,
  version,
  samples: waits.map((waitSeconds, i) => ({
    orderId: `o-${i}`,
    completedAt: `2025-06-01T09:0${9 - i}:00Z`,
    waitSeconds,
  })),
});

describe('WaitTimes.WaitTimeChanged', () => {
  it("says the drink's new average, valid against the contract", () => {
    const detail = waitTimeChanged(window([200], 1), window([300, 200], 2))!;
    expect(detail).toEqual({
      eventId: 'NYC',
      drink: 'Americano',
      averageSeconds: 250,
      samples: 2,
      windowSize: 10,
      latestCompletedAt: '2025-06-01T09:09:00Z',
      version: 2,
      Message: 'An Americano takes about 4 minutes right now (average of the last 2).',
    });
    const envelope = {
      version: '0',
      id: 'x',
      'detail-type': DETAIL_TYPE,
      source: 'awsserverlessda.serverlesspresso',
      account: '123456789012',
      time: '2025-06-01T09:09:01Z',
      region: 'us-east-1',
      resources: [],
      detail,
    };
    expect(validateEvent(envelope)).toMatchObject({ valid: true, errors: [] });
  });

  it('is not put when nothing it says changed, nor for an empty window', () => {
    // A late completion that only swapped two waits of the window: same average, count and newest.
    const before = window([100, 200, 150], 3);
    const after = {
      ...before,
      version: 4,
      samples: [
        before.samples[0]!,
        { ...before.samples[1]!, orderId: 'late', waitSeconds: 150 },
        { ...before.samples[2]!, waitSeconds: 200 },
      ],
    };
    expect(waitTimeChanged(before, after)).toBeUndefined();
    // A new completion with the same average is put: the average is current.
    const newer = {
      ...before,
      version: 5,
      samples: [
        { orderId: 'new', completedAt: '2025-06-01T09:10:00Z', waitSeconds: 150 },
        ...before.samples.slice(0, 2),
      ],
    };
    expect(waitTimeChanged(before, newer)).toMatchObject({
      averageSeconds: 150,
      samples: 3,
      latestCompletedAt: '2025-06-01T09:10:00Z',
      version: 5,
    });
    expect(waitTimeChanged(undefined, window([], 1))).toBeUndefined();
    expect(waitTimeChanged(undefined, window([45], 1))?.Message).toBe(
      'An Americano takes about 45 seconds right now (average of the last order).',
    );
  });

  it('reads waits as a customer would', () => {
    expect([0, 1, 45, 89.4, 89.6, 150, 3600].map(humanWait)).toEqual([
      'about 1 second',
      'about 1 second',
      'about 45 seconds',
      'about 89 seconds',
      'about 2 minutes',
      'about 3 minutes',
      'about 60 minutes',
    ]);
  });
});
