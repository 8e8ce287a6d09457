export * from './contract.js';
export * from './validate.js';
export type * from './generated/events.js';
export * from './extension.js';
export * from './channels.js';
export type * from './generated/channels.js';
export * from './conventions.js';
