// The request readers every service shares: one message for a missing member whatever the casing of
// the API (EventBridge's PascalCase, Step Functions' camelCase), one reading of a JSON body.
import { describe, expect, it } from '@jest/globals';
import { AwsError } from '../../src/edge/errors.js';
import { epochSeconds, jsonBody, required, str } from '../../src/services/request.js';

describe('request readers', () => {
  it('read a string member, and name a missing one in camelCase as AWS does', () => {
    expect(str({ Name: 'bus', Limit: 3 }, 'Name')).toBe('bus');
    expect(str({ Limit: 3 }, 'Limit')).toBeUndefined();
    expect(required({ executionArn: 'arn' }, 'executionArn')).toBe('arn');
    for (const [input, key, name] of [
      [{}, 'EventBusName', 'eventBusName'],
      [{ executionArn: '' }, 'executionArn', 'executionArn'],
    ] as const) {
      let error: unknown;
      try {
        required(input, key);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AwsError);
      expect(error).toMatchObject({
        code: 'ValidationException',
        message: `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
      });
    }
  });

  it('read an empty body as {} and refuse malformed JSON', () => {
    expect(jsonBody({ body: Buffer.from('') })).toEqual({});
    expect(jsonBody({ body: Buffer.from(' \n') })).toEqual({});
    expect(jsonBody({ body: Buffer.from('{"a":[1]}') })).toEqual({ a: [1] });
    expect(() => jsonBody({ body: Buffer.from('{"a":') })).toThrow(SyntaxError);
  });

  it('write timestamps as epoch seconds', () => {
    expect(epochSeconds(new Date(1_500))).toBe(1.5);
    expect(epochSeconds(undefined)).toBeUndefined();
  });
});
