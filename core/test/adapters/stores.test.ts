// The pure parts of the table adapters: how orders and configs are laid out as items.
import { describe, expect, it } from '@jest/globals';
import { configToItem, itemToConfig } from '../../src/adapters/configStore.js';
import { itemToOrder, orderToItem, orderWriteCondition, resumeOwed } from '../../src/adapters/orderStore.js';
import { defaultConfig, type Order } from '../../src/domain/index.js';

describe('order items', () => {
  const order: Order = {
    orderId: 'o1',
    eventId: 'NYC',
    userId: 'alice',
    status: 'MAKING',
    robot: false,
    version: 4,
    createdAt: 1,
    updatedAt: 9,
    baristaUserId: 'b1',
  };

  it('carry the index attributes of the original (ORDERSTATE, USERID, TS) beside the order', () => {
    expect(orderToItem(order)).toEqual({ ...order, PK: 'o1', ORDERSTATE: 'NYC-MAKING', USERID: 'alice', TS: 9 });
  });

  it('read back as the same order', () => {
    expect(itemToOrder(orderToItem(order))).toEqual(order);
  });

  it('are written over the version that was read, or where none is stored', () => {
    expect(orderWriteCondition(undefined)).toEqual({
      ConditionExpression: 'attribute_not_exists(#version)',
      ExpressionAttributeNames: { '#version': 'version' },
    });
    expect(orderWriteCondition(order)).toEqual({
      ConditionExpression: '#version = :version',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':version': 4 },
    });
  });
});

describe('config items', () => {
  it('key the config by its event and read back as the same config', () => {
    const config = defaultConfig('NYC');
    expect(configToItem(config)).toMatchObject({ PK: 'NYC', eventId: 'NYC', version: 1 });
    expect(itemToConfig(configToItem(config))).toEqual(config);
  });

  it('refuse an item that is not a config, naming the problem', () => {
    expect(() => itemToConfig({ PK: 'NYC', eventId: 'NYC', version: 1 })).toThrow(
      /The stored config NYC is not valid: The config is not valid: \/storeOpen is required but missing/,
    );
  });
});

describe('a resume owed by a write', () => {
  it('travels with the item for the stream consumer and is not part of the order', () => {
    const order: Order = {
      orderId: 'o2',
      eventId: 'NYC',
      userId: 'bob',
      status: 'COMPLETED',
      robot: false,
      version: 6,
      createdAt: 1,
      updatedAt: 9,
    };
    const resume = { taskToken: 'tok', output: { cancelled: false } };
    const item = orderToItem(order, resume);
    expect(resumeOwed(item)).toEqual(resume);
    expect(itemToOrder(item)).toEqual(order);
    expect(resumeOwed(orderToItem(order))).toBeUndefined();
  });
});
