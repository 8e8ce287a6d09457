// The pure domain of the core: no AWS calls, no clock, no randomness of its own. Handlers (thin middy
// adapters) load state, call these functions, and carry out what they return.
export * from './errors.js';
export * from './values.js';
export * from './tenant.js';
export * from './config.js';
export * from './menu.js';
export * from './qrcode.js';
export * from './orderNumber.js';
export * from './order.js';
export * from './capacity.js';
export * from './openOrders.js';
export * from './events.js';
export * from './journey.js';
export * from './metrics.js';
export * from './display.js';
export * from './realtime.js';
export * from './queuePlace.js';
export * from './reservations.js';
export * from './accounts.js';
export * from './roles.js';
