#!/usr/bin/env node
// presso runs from TypeScript source (no build step): tsx compiles on the fly, as it does in tests.
import { register } from 'tsx/esm/api';

// We develop on Node 20 by decision (README, Decisions); the SDK's notice about it is not news.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'NodeVersionSupportWarning') return;
  emitWarning(warning, ...rest);
};

register();
await import('../src/main.ts');
