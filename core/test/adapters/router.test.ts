// The HTTP router on its own (no AWS calls): how requests reach routes and how every error leaves as JSON.
import { describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { conflict } from '../../src/domain/index.js';
import { json, Problem } from '../../src/adapters/http/responses.js';
import { eventIdParam, httpRoutes, objectBody, orderIdParam } from '../../src/adapters/http/router.js';

const context = { awsRequestId: 'r1', getRemainingTimeInMillis: () => 5000 } as unknown as Context;

function event(
  routeKey: string,
  options: {
    claims?: Record<string, string>;
    body?: string;
    contentType?: string;
    params?: Record<string, string>;
  } = {},
) {
  return {
    version: '2.0',
    routeKey,
    rawPath: '/',
    rawQueryString: '',
    isBase64Encoded: false,
    headers: options.contentType ? { 'Content-Type': options.contentType } : {},
    pathParameters: options.params,
    body: options.body,
    requestContext: {
      routeKey,
      http: { method: routeKey.split(' ')[0], path: '/' },
      ...(options.claims ? { authorizer: { jwt: { claims: options.claims, scopes: null } } } : {}),
    },
  } as never;
}

const routes = httpRoutes({
  'POST /things/{eventId}': async (request) =>
    json(200, { eventId: eventIdParam(request), body: objectBody(request, '{}'), user: request.caller.userId }),
  'GET /orders/{orderId}': async (request) => json(200, { orderId: orderIdParam(request) }),
  'GET /conflict': async () => {
    throw new Problem(conflict('ALREADY_COMPLETED', 'Order 1 is already completed.'));
  },
  'GET /boom': async () => {
    throw new Error('secret internal detail');
  },
});
const alice = { sub: 'alice' };
const call = async (e: unknown) => {
  const response = await routes(e as never, context);
  return {
    status: response.statusCode,
    type: response.headers?.['content-type'] ?? response.headers?.['Content-Type'],
    body: JSON.parse(String(response.body)) as unknown,
  };
};

describe('httpRoutes', () => {
  it('passes parsed JSON bodies, path parameters and the caller to the route', async () => {
    expect(
      await call(
        event('POST /things/{eventId}', {
          claims: alice,
          params: { eventId: 'NYC' },
          body: '{"a":1}',
          contentType: 'application/json',
        }),
      ),
    ).toEqual({
      status: 200,
      type: 'application/json',
      body: { eventId: 'NYC', body: { a: 1 }, user: 'alice' },
    });
  });

  it('401 without a verified subject', async () => {
    expect(await call(event('GET /conflict'))).toMatchObject({ status: 401, body: { error: 'UNAUTHENTICATED' } });
  });

  it('domain problems keep their status and code', async () => {
    expect(await call(event('GET /conflict', { claims: alice }))).toEqual({
      status: 409,
      type: 'application/json',
      body: { error: 'ALREADY_COMPLETED', message: 'Order 1 is already completed.' },
    });
  });

  it('400 for malformed JSON and for a body that is not an object, saying what to send', async () => {
    expect(
      await call(
        event('POST /things/{eventId}', {
          claims: alice,
          params: { eventId: 'NYC' },
          body: '{oops',
          contentType: 'application/json',
        }),
      ),
    ).toMatchObject({
      status: 400,
      body: { error: 'INVALID_JSON', message: 'The request body is not valid JSON.' },
    });
    expect(
      await call(
        event('POST /things/{eventId}', {
          claims: alice,
          params: { eventId: 'NYC' },
          body: 'drink=latte',
          contentType: 'text/plain',
        }),
      ),
    ).toMatchObject({
      status: 400,
      body: { error: 'INVALID_BODY', message: 'Send a JSON object with Content-Type: application/json, e.g. {}.' },
    });
    expect(
      await call(
        event('POST /things/{eventId}', {
          claims: alice,
          params: { eventId: 'NYC' },
          body: '[1]',
          contentType: 'application/json',
        }),
      ),
    ).toMatchObject({ status: 400, body: { error: 'INVALID_BODY' } });
  });

  it('400 for malformed path parameters', async () => {
    expect(
      await call(
        event('POST /things/{eventId}', {
          claims: alice,
          params: { eventId: 'N-Y' },
          body: '{}',
          contentType: 'application/json',
        }),
      ),
    ).toMatchObject({ status: 400, body: { error: 'INVALID_EVENT_ID' } });
    expect(await call(event('GET /orders/{orderId}', { claims: alice, params: { orderId: 'a/b' } }))).toMatchObject({
      status: 400,
      body: { error: 'INVALID_ORDER_ID' },
    });
  });

  it('404 for a route this function does not serve', async () => {
    expect(await call(event('GET /nowhere', { claims: alice }))).toMatchObject({
      status: 404,
      body: { error: 'NO_SUCH_ROUTE' },
    });
  });

  it('500 without internals for anything unexpected', async () => {
    const logged: unknown[] = [];
    const original = console.error;
    console.error = (e: unknown) => void logged.push(e);
    try {
      const response = await call(event('GET /boom', { claims: alice }));
      expect(response).toEqual({
        status: 500,
        type: 'application/json',
        body: { error: 'INTERNAL_ERROR', message: 'Something went wrong on our side; please try again.' },
      });
      expect(JSON.stringify(response)).not.toContain('secret');
    } finally {
      console.error = original;
    }
    expect(String(logged[0])).toContain('secret internal detail');
  });
});
