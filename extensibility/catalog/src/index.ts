export * from './contract.js';
export * from './validate.js';
export type * from './generated/events.js';
export * from './extension.js';
