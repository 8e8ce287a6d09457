import { describe, expect, it } from '@jest/globals';
import {
  eventOpenOrdersKey,
  openOrderCount,
  releaseOpenOrderParams,
  reserveOpenOrderParams,
  userOpenOrdersKey,
} from '../../src/domain/openOrders.js';

describe('open-order sets', () => {
  it('key an event and a customer at an event', () => {
    expect(eventOpenOrdersKey('NYC')).toBe('openOrders-NYC');
    expect(userOpenOrdersKey('NYC', 'user-1')).toBe('userOrders-NYC-user-1');
  });

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
