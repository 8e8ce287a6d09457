#!/usr/bin/env node
// presso runs from TypeScript source (no build step): tsx compiles on the fly, as it does in tests.
import { register } from 'tsx/esm/api';
import { wrongNode } from './check-node.js';

// First: on another Node, the local cloud would emulate Lambda on the wrong runtime.
const why = wrongNode();
if (why) {
  console.error(`presso: ${why}`);
  process.exit(1);
}

register();
await import('../src/main.ts');
