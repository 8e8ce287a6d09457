import { afterEach, describe, expect, it } from '@jest/globals';
import { requiredEnv } from '../../src/adapters/env.js';

const NAME = 'PRESSO_TEST_REQUIRED_ENV';

describe('requiredEnv', () => {
  afterEach(() => {
    delete process.env[NAME];
  });

  it('reads a variable the template sets', () => {
    process.env[NAME] = 'orders-table';
    expect(requiredEnv(NAME)).toBe('orders-table');
  });

  it('names a missing or empty variable and what sets it', () => {
    expect(() => requiredEnv(NAME)).toThrow(`Environment variable ${NAME} is not set; core/template.yaml sets it`);
    process.env[NAME] = '';
    expect(() => requiredEnv(NAME)).toThrow(NAME);
  });
});
