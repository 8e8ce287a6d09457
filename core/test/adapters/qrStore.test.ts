// How the validator's store writes the domain's rules as DynamoDB conditions and updates. DynamoDB
// Local runs them in the integration tests (test/integration); these pin their shape.
import { describe, expect, it } from '@jest/globals';
import {
  createBucketParams,
  decrementTokenParams,
  openOrderCount,
  releaseOpenOrderParams,
  reserveOpenOrderParams,
} from '../../src/adapters/qrStore.js';
import { defaultConfig, newBucket, type RandomBytes } from '../../src/domain/index.js';

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 21, 12, 52, 21);
const BUCKET = Math.floor(NOW / (5 * MIN));
const config = { ...defaultConfig('NYC'), drinksPerCode: 3 };
const counting =
  (start = 0): RandomBytes =>
  (size) =>
    Uint8Array.from({ length: size }, (_, i) => (start + i) % 256);

describe('buckets', () => {
  const bucket = newBucket(config, NOW, counting());

  it('are created only by the first writer', () => {
    expect(createBucketParams(bucket)).toEqual({ Item: bucket, ConditionExpression: 'attribute_not_exists(PK)' });
  });
});

describe('decrementTokenParams', () => {
  it('takes one token only while tokens are left and the bucket, code and time still match', () => {
    const bucket = newBucket(config, NOW, counting());
    expect(decrementTokenParams(bucket, NOW)).toEqual({
      Key: { PK: `NYC-${BUCKET}` },
      UpdateExpression: 'SET #tokens = #tokens - :one',
      ConditionExpression:
        '#tokens > :zero AND #eventId = :eventId AND #bucketId = :bucketId AND #code = :code AND #endMs >= :now',
      ExpressionAttributeNames: {
        '#tokens': 'availableTokens',
        '#eventId': 'eventId',
        '#bucketId': 'bucketId',
        '#code': 'code',
        '#endMs': 'endMs',
      },
      ExpressionAttributeValues: {
        ':one': 1,
        ':zero': 0,
        ':eventId': 'NYC',
        ':bucketId': BUCKET,
        ':code': 'ABCDEFGHIJ',
        ':now': NOW,
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('names every attribute through a placeholder, and every placeholder is defined', () => {
    const p = decrementTokenParams(newBucket(config, NOW, counting()), NOW);
    const expressions = `${p.UpdateExpression} ${p.ConditionExpression}`;
    expect(new Set(expressions.match(/#\w+/g))).toEqual(new Set(Object.keys(p.ExpressionAttributeNames)));
    expect(new Set(expressions.match(/:\w+/g))).toEqual(new Set(Object.keys(p.ExpressionAttributeValues)));
  });
});

describe('open-order sets', () => {
  it('reserve a place with one conditional ADD that a retry of the same order passes', () => {
    expect(reserveOpenOrderParams('openOrders-NYC', 'o1', 20)).toEqual({
      Key: { PK: 'openOrders-NYC' },
      UpdateExpression: 'ADD #orders :order',
      ConditionExpression: 'attribute_not_exists(#orders) OR size(#orders) < :limit OR contains(#orders, :orderId)',
      ExpressionAttributeNames: { '#orders': 'orderIds' },
      ExpressionAttributeValues: { ':order': new Set(['o1']), ':orderId': 'o1', ':limit': 20 },
    });
  });

  it('refuse a limit below 1 (an empty set would still take an order)', () => {
    expect(() => reserveOpenOrderParams('k', 'o1', 0)).toThrow(
      'an open-order limit must be a whole number from 1, got 0',
    );
    expect(() => reserveOpenOrderParams('k', 'o1', 1.5)).toThrow(RangeError);
  });

  it('release with a DELETE that never creates an item', () => {
    expect(releaseOpenOrderParams('userOrders-NYC-u', 'o1')).toEqual({
      Key: { PK: 'userOrders-NYC-u' },
      UpdateExpression: 'DELETE #orders :order',
      ConditionExpression: 'attribute_exists(#pk)',
      ExpressionAttributeNames: { '#orders': 'orderIds', '#pk': 'PK' },
      ExpressionAttributeValues: { ':order': new Set(['o1']) },
    });
  });

  it('count the members of a stored set', () => {
    expect(openOrderCount(undefined)).toBe(0);
    expect(openOrderCount({ PK: 'k' })).toBe(0);
    expect(openOrderCount({ PK: 'k', orderIds: new Set(['a', 'b']) })).toBe(2);
  });
});
