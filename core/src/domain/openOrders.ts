// Open orders, counted as sets of order ids: one per event (its capacity) and one per customer at an
// event (their limit). The validator's store (adapters/qrStore.ts) reserves and releases places
// atomically; the order processor's state machine uses the same keys (statemachines/orderProcessor.asl.json;
// a test keeps them equal).

/** The set of an event's open orders (its workflows between the capacity check and their end). */
export const eventOpenOrdersKey = (eventId: string): string => `openOrders-${eventId}`;
/** The set of one customer's open orders at an event. eventId has no hyphen, so the key is unambiguous. */
export const userOpenOrdersKey = (eventId: string, userId: string): string => `userOrders-${eventId}-${userId}`;
