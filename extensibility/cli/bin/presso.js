#!/usr/bin/env node
// presso runs from TypeScript source (no build step): tsx compiles on the fly, as it does in tests.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
