// The API client against a real HTTP server that answers as the core does: its error bodies are made
// by the core's own domain (httpErrorBody, capacity decisions), so a change of the core's error shape
// fails here; API Gateway's own answers (401, 429) and RFC 9457 problem+json are read too.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  badRequest,
  capacityError,
  conflict,
  decideCapacity,
  httpErrorBody,
  notYet,
  unprocessable,
  type DomainError,
} from '@serverlesspresso/core/domain';
import { ApiClient, ApiError, apiErrorOf, customerSentence } from '../../src/shared/api.js';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  body: string;
}

type Answer = {
  status: number;
  body?: unknown;
  contentType?: string;
  raw?: string;
  headers?: Record<string, string>;
  /** What the server answers the next time (this answer is given once). */
  then?: Answer;
};

let server: Server;
let baseUrl: string;
const seen: Seen[] = [];
/** What the server answers to each "METHOD /path" (the path as received, encoded). */
const answers = new Map<string, Answer>();

const core = (error: DomainError): Answer => ({ status: error.status, body: httpErrorBody(error) });
const capacity = (
  config: { storeOpen: boolean; maxOrdersInQueue: number; maxOrdersPerUser: number },
  open: number,
  mine: number,
) => {
  const decision = decideCapacity({ eventId: 'NYC', ...config }, { openOrders: open, userOpenOrders: mine });
  if (decision.accepted) throw new Error('expected a refusal');
  return core(capacityError(decision));
};

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer((request, response) => {
    void bodyOf(request).then((body) => {
      seen.push({
        method: request.method!,
        url: request.url!,
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
        ...(request.headers['content-type'] ? { contentType: request.headers['content-type'] } : {}),
        body,
      });
      const key = `${request.method} ${request.url}`;
      const answer = answers.get(key) ?? { status: 404, body: { message: 'Not Found' } };
      if (answer.then) answers.set(key, answer.then);
      response.writeHead(answer.status, {
        'content-type': answer.contentType ?? 'application/json',
        ...answer.headers,
      });
      response.end(answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const client = (token: string | null = 'id-token-1', onUnauthorized?: (e: ApiError) => void) =>
  new ApiClient({
    baseUrl: `${baseUrl}/`,
    token: async () => token ?? undefined,
    ...(onUnauthorized ? { onUnauthorized } : {}),
  });

async function refusal(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected the API to refuse');
}

describe('the API client', () => {
  it('sends the bearer token and JSON, under the base URL, ids encoded', async () => {
    answers.set('POST /prod/events/NYC/orders', {
      status: 201,
      body: { orderId: 'o-1', eventId: 'NYC', message: 'Your order is accepted: choose your drink.' },
    });
    const order = await client().placeOrder('NYC', 'ABC123');
    expect(order).toEqual({ orderId: 'o-1', eventId: 'NYC', message: 'Your order is accepted: choose your drink.' });
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      url: '/prod/events/NYC/orders',
      authorization: 'Bearer id-token-1',
      contentType: 'application/json',
      body: '{"code":"ABC123"}',
    });

    answers.set('GET /prod/orders/a%2Fb%3Fc', { status: 200, body: { orderId: 'a/b?c', status: 'CREATED' } });
    await client().order('a/b?c');
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/prod/orders/a%2Fb%3Fc', body: '' });

    answers.set('GET /prod/events/NYC/orders?status=COMPLETED&limit=5', {
      status: 200,
      body: { eventId: 'NYC', status: 'COMPLETED', orders: [] },
    });
    await client().ordersInState('NYC', 'COMPLETED', 5);
    expect(seen.at(-1)!.url).toBe('/prod/events/NYC/orders?status=COMPLETED&limit=5');

    answers.set('PUT /prod/orders/o-1/drink', { status: 200, body: { order: { orderId: 'o-1' }, duplicate: false } });
    await client().orderDrink('o-1', { drink: 'Latte', modifiers: ['Oat'] });
    expect(seen.at(-1)).toMatchObject({ method: 'PUT', body: '{"drink":"Latte","modifiers":["Oat"]}' });
  });

  it.each([
    [
      'a closed store',
      capacity({ storeOpen: false, maxOrdersInQueue: 10, maxOrdersPerUser: 1 }, 0, 0),
      'STORE_CLOSED',
      'The coffee bar is closed right now, so it is not taking orders.',
    ],
    [
      'a full queue',
      capacity({ storeOpen: true, maxOrdersInQueue: 10, maxOrdersPerUser: 1 }, 10, 0),
      'AT_CAPACITY',
      'The baristas are very busy right now. Please try again in a few minutes.',
    ],
    [
      'an open order already (the API says which limit)',
      capacity({ storeOpen: true, maxOrdersInQueue: 10, maxOrdersPerUser: 2 }, 3, 2),
      'USER_LIMIT',
      'You already have 2 open orders, the most allowed; collect or cancel one before ordering another drink.',
    ],
    [
      'an expired code',
      core(badRequest('CODE_EXPIRED', 'This QR code has expired. Scan the new code shown at the coffee bar.')),
      'CODE_EXPIRED',
      'This QR code has expired. Scan the new code shown on the display at the bar.',
    ],
    [
      'a code with no drinks left',
      core(conflict('NO_TOKENS_LEFT', 'This QR code has already admitted its 10 orders.')),
      'NO_TOKENS_LEFT',
      'This QR code has no drinks left. Wait a moment for the next code on the display at the bar.',
    ],
  ])('turns %s into its code and a sentence', async (_what, answer, code, sentence) => {
    answers.set('POST /prod/events/NYC/orders', answer);
    const error = await refusal(client().placeOrder('NYC', 'ABC123'));
    expect(error.status).toBe(answer.status);
    expect(error.code).toBe(code);
    expect(error.message).toBe(sentence);
    expect(error.serverMessage).toBe((answer.body as { message: string }).message);
    expect(error.retryable).toBe(false);
  });

  it('keeps the field details of a validation error', async () => {
    const details = [{ path: '/maxOrdersInQueue', message: 'must be a whole number from 1 to 1000' }];
    answers.set(
      'PATCH /prod/events/NYC/config',
      core(unprocessable('INVALID_CONFIG', 'The config has 1 problem.', details)),
    );
    const error = await refusal(client().patchConfig('NYC', { maxOrdersInQueue: 0 }));
    expect(error).toMatchObject({ status: 422, code: 'INVALID_CONFIG', message: 'The config has 1 problem.', details });
  });

  it("reads API Gateway's 401 as UNAUTHORIZED and tells the app, also without a token", async () => {
    answers.set('GET /prod/events/NYC/menu', { status: 401, body: { message: 'Unauthorized' } });
    const told: ApiError[] = [];
    const error = await refusal(client(null, (e) => told.push(e)).menu('NYC'));
    expect(seen.at(-1)!.authorization).toBeUndefined();
    expect(error).toMatchObject({
      status: 401,
      code: 'UNAUTHORIZED',
      message: 'Your sign-in has expired. Please sign in again.',
    });
    expect(told).toEqual([error]);
  });

  it('reads throttling, failures of the API and problem+json bodies', async () => {
    answers.set('GET /prod/events/NYC/queue', { status: 429, body: { message: 'Too Many Requests' } });
    expect(await refusal(client().queue('NYC'))).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryable: true });

    answers.set('GET /prod/events/NYC/queue', {
      status: 500,
      body: { error: 'INTERNAL_ERROR', message: 'Something went wrong on our side; please try again.' },
    });
    expect(await refusal(client().queue('NYC'))).toMatchObject({
      status: 500,
      code: 'INTERNAL_ERROR',
      message: 'Something went wrong on our side. Please try again.',
      retryable: true,
    });

    answers.set('GET /prod/events/NYC/queue', {
      status: 502,
      raw: '<html>Bad gateway</html>',
      contentType: 'text/html',
    });
    expect(await refusal(client().queue('NYC'))).toMatchObject({ status: 502, code: 'INTERNAL_ERROR' });

    answers.set('POST /prod/orders/o-1/make', {
      status: 409,
      contentType: 'application/problem+json',
      body: {
        type: 'https://serverlesspresso.example/problems/ALREADY_CLAIMED',
        title: 'Already claimed',
        status: 409,
        detail: 'Order 12 is already being made by another barista.',
      },
    });
    expect(await refusal(client().make('o-1'))).toMatchObject({
      status: 409,
      code: 'ALREADY_CLAIMED',
      message: 'Another barista is already making this order.',
      serverMessage: 'Order 12 is already being made by another barista.',
    });
  });

  it("falls back to the API's message for a code it does not know, and to a sentence by status without one", async () => {
    answers.set('POST /prod/orders/o-1/cancel', {
      status: 409,
      body: { error: 'SOMETHING_NEW', message: 'A new rule the app does not know yet.' },
    });
    expect(await refusal(client().cancel('o-1'))).toMatchObject({
      code: 'SOMETHING_NEW',
      message: 'A new rule the app does not know yet.',
    });
    answers.set('POST /prod/orders/o-1/cancel', { status: 403, body: {} });
    expect(await refusal(client().cancel('o-1'))).toMatchObject({
      code: 'HTTP_403',
      message: 'Your account is not allowed to do this.',
    });
  });

  it('refuses a request whose token cannot be had: offline as NETWORK, a sign-in that is over as UNAUTHORIZED', async () => {
    const requests = seen.length;
    const offline = new ApiClient({
      baseUrl,
      token: async () => Promise.reject(Object.assign(new Error('fetch failed'), { code: 'network' })),
    });
    expect(await refusal(offline.menu('NYC'))).toMatchObject({ status: 0, code: 'NETWORK', retryable: true });
    const told: ApiError[] = [];
    const over = new ApiClient({
      baseUrl,
      token: async () => Promise.reject(Object.assign(new Error('refresh refused'), { code: 'invalid_grant' })),
      onUnauthorized: (e) => told.push(e),
    });
    const error = await refusal(over.menu('NYC'));
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHORIZED', serverMessage: 'refresh refused' });
    expect(told).toEqual([error]);
    expect(seen.length).toBe(requests);
  });

  it('asks again after a 409 with Retry-After (an order a moment too early), a few times, then refuses', async () => {
    const notReady = {
      ...core(notYet('ORDER_NOT_READY', 'Your order is still being set up. Try again in a second.', 0)),
      headers: { 'retry-after': '0' },
    };
    const ok = { status: 200, body: { order: { orderId: 'o-2' }, duplicate: false } };
    answers.set('PUT /prod/orders/o-2/drink', { ...notReady, then: { ...notReady, then: ok } });
    const before = seen.length;
    await expect(client().orderDrink('o-2', { drink: 'Espresso' })).resolves.toEqual(ok.body);
    expect(seen.length - before).toBe(3);

    answers.set('PUT /prod/orders/o-3/drink', notReady);
    const error = await client()
      .orderDrink('o-3', { drink: 'Espresso' })
      .catch((e: ApiError) => e);
    expect(error).toMatchObject({
      status: 409,
      code: 'ORDER_NOT_READY',
      message: 'Your order is still being set up. Please try again in a moment.',
      retryAfterMs: 0,
    });
    // A 409 without Retry-After is a refusal at once.
    answers.set('PUT /prod/orders/o-4/drink', core(conflict('ALREADY_ORDERED', 'already')));
    const once = seen.length;
    await expect(client().orderDrink('o-4', { drink: 'Espresso' })).rejects.toMatchObject({ code: 'ALREADY_ORDERED' });
    expect(seen.length - once).toBe(1);
  });

  it('says the coffee bar cannot be reached when nothing answers', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const offline = new ApiClient({ baseUrl: `http://127.0.0.1:${port}`, token: async () => 't' });
    expect(await refusal(offline.menu('NYC'))).toMatchObject({
      status: 0,
      code: 'NETWORK',
      message: 'We could not reach the coffee bar. Check your connection and try again.',
      retryable: true,
    });
  });
});

describe('the sentences', () => {
  it('has one for every refusal the core makes that a customer can meet', () => {
    for (const code of [
      'INVALID_CODE',
      'CODE_EXPIRED',
      'NO_TOKENS_LEFT',
      'STORE_CLOSED',
      'AT_CAPACITY',
      'ALREADY_ORDERED',
    ])
      expect(customerSentence(409, code, 'server text')).not.toBe('server text');
    expect(apiErrorOf(409, { error: 'USER_LIMIT' }).message).toBe(
      'That is no longer possible: things have moved on. Please refresh.',
    );
  });
});
