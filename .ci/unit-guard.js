// Every test file runs this first. In a unit test file the local cloud and DynamoDB Local refuse to
// start (they read PRESSO_TEST_LEVEL): a test that needs one is an integration test, and says so
// loudly instead of quietly slowing the unit run. `npm run test:unit` sets the variable for the whole
// run, so processes a test spawns (`presso up`) refuse too.
import { expect } from '@jest/globals';
import { isIntegration } from './levels.js';

const { testPath } = expect.getState();
if (testPath && !isIntegration(testPath)) process.env.PRESSO_TEST_LEVEL = 'unit';
