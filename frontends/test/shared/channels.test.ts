import { describe, expect, it } from '@jest/globals';
import { boardChannel, customerChannel, firstSight, staffChannel } from '../../src/shared/channels.js';
import { channelProblem } from '../../src/shared/realtime.js';

describe('the core channels', () => {
  it('names them as the core publishes them, "_" in an eventId written "-"', () => {
    const sub = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(customerChannel('NYC', sub)).toBe(`/orders/NYC/${sub}`);
    expect(staffChannel('re_invent')).toBe('/staff/re-invent');
    expect(boardChannel('re_invent')).toBe('/board/re-invent');
    for (const channel of [customerChannel('re_invent', sub), staffChannel('NYC'), boardChannel('NYC')])
      expect(channelProblem(channel)).toBeUndefined();
  });

  it('drops a message it has seen (at-least-once delivery), remembering the last ids', () => {
    const first = firstSight(2);
    expect([
      first({ id: 'a' }),
      first({ id: 'a' }),
      first({ id: 'b' }),
      first({ id: 'c' }),
      first({ id: 'a' }),
    ]).toEqual([true, false, true, true, true]);
  });
});
