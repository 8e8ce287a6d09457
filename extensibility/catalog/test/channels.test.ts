import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { channelNamespaceOf, channels, validateChannelMessage } from '../src/index.js';
import { channelNames, generateChannels } from '../scripts/generate.js';

const root = new URL('..', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const example = (ns: string, i = 0) =>
  structuredClone(channels.find((c) => c.namespace === ns)!.examples[i]) as Record<string, unknown>;

describe('the realtime channels', () => {
  it("are the core's three namespaces, each with its path", () => {
    expect(channels.map((c) => [c.namespace, c.channel])).toEqual([
      ['board', '/board/{eventId}'],
      ['orders', '/orders/{eventId}/{userId}'],
      ['staff', '/staff/{eventId}'],
    ]);
    expect(channels.map((c) => c.namespace)).toEqual(channelNames());
  });

  it.each(channels.map((c) => [c.namespace, c] as const))(
    '%s: every example is valid, and says who may subscribe',
    (_n, c) => {
      expect(c.examples.length).toBeGreaterThan(0);
      for (const message of c.examples)
        expect(validateChannelMessage(c.channel.replace(/\{[^}]+\}/g, 'x'), message).errors).toEqual([]);
      expect(c.schema.description).toMatch(/subscribe/i);
      expect(c.schema.description).toMatch(/unknown fields are rejected/);
    },
  );

  it('rejects a field the channel does not list, naming it (nothing more reaches a browser)', () => {
    const m = { ...example('orders', 1), userId: 'alice', TaskToken: 'secret' };
    expect(validateChannelMessage('/orders/NYC/alice', m).errors).toEqual([
      {
        path: '/userId',
        message: 'is not a field of this channel (unknown fields are not allowed: channels reach browsers)',
      },
      {
        path: '/TaskToken',
        message: 'is not a field of this channel (unknown fields are not allowed: channels reach browsers)',
      },
    ]);
    const board = example('board');
    expect(validateChannelMessage('/board/NYC', { ...board, orderId: 'o-1' }).errors).toEqual([
      {
        path: '/orderId',
        message: 'is not a field of this channel (unknown fields are not allowed: channels reach browsers)',
      },
    ]);
  });

  it('names a missing field, a kind the channel does not carry, and a channel that is not ours', () => {
    const m = example('staff');
    delete m.orderId;
    expect(validateChannelMessage('/staff/NYC', m).errors).toEqual([
      { path: '/orderId', message: 'is required but missing' },
    ]);
    expect(validateChannelMessage('/orders/NYC/alice', example('staff', 2)).errors).toEqual([
      { path: '/kind', message: 'must be one of "order"' },
    ]);
    expect(validateChannelMessage('/chat/NYC', {}).errors[0]!.message).toMatch(
      '"/chat/NYC" is not a channel of the core',
    );
    expect(channelNamespaceOf('/board/NYC')).toBe('board');
  });

  it('has its generated types current', async () => {
    expect(read('src/generated/channels.ts')).toBe(await generateChannels());
  });
});
