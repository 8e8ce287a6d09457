// What the web apps share: their config, sign-in, the core's API and the realtime channels.
export * from './config.js';
export * from './auth.js';
export * from './api.js';
export * from './realtime.js';
export * from './channels.js';
export * from './pkce.js';
export { systemClock, type Clock, type TimerHandle } from './clock.js';
export { jwtClaims } from './encoding.js';
