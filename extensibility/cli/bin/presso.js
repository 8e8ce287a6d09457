#!/usr/bin/env node
// presso runs from TypeScript source (no build step): tsx compiles on the fly, as it does in tests.
import { register } from 'tsx/esm/api';

// We develop on Node 20 by decision (README, Decisions); the SDK's notice about it is not news.
// The SDK's own switch, so a user can still set it to false and see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('../src/main.ts');
