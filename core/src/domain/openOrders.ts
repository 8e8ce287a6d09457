// Open orders, counted as DynamoDB string sets of order ids: one per event (its capacity) and one per
// customer at an event (their limit). Reserving a place is one conditional ADD, so concurrent scans can
// never put more members in a set than its limit; releasing is a DELETE, harmless when repeated or
// when the order never held a place (robot orders skip the validator). The order processor's state
// machine uses the same keys and expressions (statemachines/orderProcessor.asl.json; a test keeps
// them equal).

/** The set of an event's open orders (its workflows between the capacity check and their end). */
export const eventOpenOrdersKey = (eventId: string): string => `openOrders-${eventId}`;
/** The set of one customer's open orders at an event. eventId has no hyphen, so the key is unambiguous. */
export const userOpenOrdersKey = (eventId: string, userId: string): string => `userOrders-${eventId}-${userId}`;

/** DynamoDB UpdateItem parameters (without TableName), as document-client values. */
export interface OpenOrdersUpdate {
  Key: { PK: string };
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, string | number | Set<string>>;
}

/**
 * Adds an order to a set while it has fewer than limit members; the order already being a member
 * also passes (a retried reservation). A failed condition (ConditionalCheckFailedException) means full.
 */
export function reserveOpenOrderParams(key: string, orderId: string, limit: number): OpenOrdersUpdate {
  // With limit 0 the empty set would still take one: callers refuse that case before reserving.
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`an open-order limit must be a whole number from 1, got ${limit}`);
  return {
    Key: { PK: key },
    UpdateExpression: 'ADD #orders :order',
    ConditionExpression: 'attribute_not_exists(#orders) OR size(#orders) < :limit OR contains(#orders, :orderId)',
    ExpressionAttributeNames: { '#orders': 'orderIds' },
    ExpressionAttributeValues: { ':order': new Set([orderId]), ':orderId': orderId, ':limit': limit },
  };
}

/**
 * Removes an order from a set. The condition keeps a release of a set that does not exist from
 * creating an empty item: a failed condition there means "nothing to release".
 */
export function releaseOpenOrderParams(key: string, orderId: string): OpenOrdersUpdate {
  return {
    Key: { PK: key },
    UpdateExpression: 'DELETE #orders :order',
    ConditionExpression: 'attribute_exists(#pk)',
    ExpressionAttributeNames: { '#orders': 'orderIds', '#pk': 'PK' },
    ExpressionAttributeValues: { ':order': new Set([orderId]) },
  };
}

/** How many orders a stored set item holds (none when the item or the set is missing). */
export function openOrderCount(item: Record<string, unknown> | undefined): number {
  const orders = item?.orderIds;
  return orders instanceof Set ? orders.size : Array.isArray(orders) ? orders.length : 0;
}
