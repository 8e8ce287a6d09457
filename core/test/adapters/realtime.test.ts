// The publisher's HTTP side against a real HTTP server that answers as AppSync Events' publish
// endpoint does ({successful, failed}), with a script of answers per test.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { publishToChannels, publishUrl } from '../../src/adapters/realtime.js';
import type { ChannelPublish } from '../../src/domain/realtime.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

interface Received {
  headers: IncomingHttpHeaders;
  path: string;
  body: { channel: string; events: string[] };
}
type Answer = (r: Received) => { status: number; body: unknown };

let server: Server;
let url: string;
let received: Received[] = [];
let answers: Answer[] = [];
const allTaken: Answer = (r) => ({
  status: 200,
  body: { successful: r.body.events.map((_, index) => ({ identifier: `id-${index}`, index })), failed: [] },
});

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const r: Received = { headers: req.headers, path: req.url ?? '', body: JSON.parse(text) as Received['body'] };
      received.push(r);
      const { status, body } = (answers.shift() ?? allTaken)(r);
      if (status === 0) return; // no answer at all: the client's timeout decides
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/event`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  received = [];
  answers = [];
});

const message = (i: number, channel = '/staff/NYC'): ChannelPublish =>
  ({ channel, message: { kind: 'order', id: `e${i}`, eventId: 'NYC', state: 'QUEUED' } }) as unknown as ChannelPublish;
const publish = (p: ChannelPublish[]) =>
  publishToChannels(p, { publishUrl: url, region: 'us-east-1', credentials, backoffMs: 1 });
const ids = (r: Received) => r.body.events.map((e) => (JSON.parse(e) as { id: string }).id);

describe('publishToChannels', () => {
  it('posts each channel its events as JSON text, at most 5 a request, signed with SigV4 for appsync', async () => {
    await publish([...Array.from({ length: 7 }, (_, i) => message(i)), message(9, '/board/NYC')]);
    expect(received.map((r) => [r.path, r.body.channel, ids(r)])).toEqual([
      ['/event', '/staff/NYC', ['e0', 'e1', 'e2', 'e3', 'e4']],
      ['/event', '/staff/NYC', ['e5', 'e6']],
      ['/event', '/board/NYC', ['e9']],
    ]);
    const first = received[0]!;
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/appsync\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    // The signature is AppSync's to check: signing the same request again gives the same one.
    const amzDate = String(first.headers['x-amz-date']);
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const again = await new SignatureV4({
      service: 'appsync',
      region: 'us-east-1',
      credentials,
      sha256: Hash.bind(null, 'sha256'),
    }).sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: Number(new URL(url).port),
        path: '/event',
        headers: { host: String(first.headers.host), 'content-type': 'application/json' },
        body: JSON.stringify(first.body),
      }),
      { signingDate },
    );
    expect(again.headers['authorization']).toBe(first.headers.authorization);
  });

  it('sends again only the events AppSync reports as failed', async () => {
    answers = [
      () => ({
        status: 200,
        body: {
          successful: [0, 2].map((index) => ({ identifier: `id-${index}`, index })),
          failed: [1, 3].map((index) => ({ identifier: `id-${index}`, index, code: 500, message: 'Internal failure' })),
        },
      }),
    ];
    await publish([0, 1, 2, 3].map((i) => message(i)));
    expect(received.map(ids)).toEqual([
      ['e0', 'e1', 'e2', 'e3'],
      ['e1', 'e3'],
    ]);
  });

  it('fails the invocation when events still fail after the last attempt, naming them', async () => {
    const failSecond: Answer = (r) => ({
      status: 200,
      body: {
        successful: [{ identifier: 'a', index: 0 }],
        failed:
          r.body.events.length > 1 ? [{ identifier: 'b', index: 1, code: 'PublishFailed', message: 'try again' }] : [],
      },
    });
    const failAll: Answer = (r) => ({
      status: 200,
      body: {
        successful: [],
        failed: r.body.events.map((_, index) => ({
          identifier: 'x',
          index,
          code: 'PublishFailed',
          message: 'try again',
        })),
      },
    });
    answers = [failSecond, failAll, failAll];
    await expect(publish([message(0), message(1)])).rejects.toThrow(
      'AppSync Events did not take 1 of 2 events: /staff/NYC event e1: PublishFailed try again',
    );
    expect(received.map(ids)).toEqual([['e0', 'e1'], ['e1'], ['e1']]);
  });

  it('does not retry a refusal (403): the template or the role is wrong', async () => {
    answers = [
      () => ({
        status: 403,
        body: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized' }] },
      }),
    ];
    await expect(publish([message(0)])).rejects.toThrow(/\/staff\/NYC event e0: 403 .*UnauthorizedException/);
    expect(received).toHaveLength(1);
  });

  it('retries a throttle (429) and succeeds', async () => {
    answers = [() => ({ status: 429, body: { errors: [{ errorType: 'TooManyRequestsException' }] } })];
    await publish([message(0)]);
    expect(received.map(ids)).toEqual([['e0'], ['e0']]);
  });

  it('tries again a request that gets no answer in time, then fails naming it', async () => {
    answers = [() => ({ status: 0, body: null }), () => ({ status: 0, body: null }), () => ({ status: 0, body: null })];
    await expect(
      publishToChannels([message(0)], {
        publishUrl: url,
        region: 'us-east-1',
        credentials,
        backoffMs: 1,
        timeoutMs: 200,
      }),
    ).rejects.toThrow(/\/staff\/NYC event e0: NetworkError no answer from 127\.0\.0\.1:\d+/);
    expect(received).toHaveLength(3);
  });

  it('publishes nothing for no messages', async () => {
    await publish([]);
    expect(received).toEqual([]);
  });
});

describe('publishUrl', () => {
  it('is https://<Dns.Http>/event, or a full URL as given', () => {
    expect(publishUrl('abc.appsync-api.us-east-1.amazonaws.com').href).toBe(
      'https://abc.appsync-api.us-east-1.amazonaws.com/event',
    );
    expect(publishUrl('http://127.0.0.1:4566/event').href).toBe('http://127.0.0.1:4566/event');
  });
});
