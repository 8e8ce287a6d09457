// The board publisher against a real HTTP server that answers as AppSync Events' publish endpoint.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { boardPublisher } from '../../src/adapters/board.js';

let server: Server;
let url: string;
const received: { headers: IncomingHttpHeaders; body: { channel: string; events: string[] } }[] = [];
let failFirst = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as { channel: string; events: string[] };
      received.push({ headers: req.headers, body });
      const failed =
        failFirst-- > 0 ? [{ identifier: 'x', index: 0, code: 'InternalFailure', message: 'try again' }] : [];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ successful: [], failed }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/event`;
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

const board = () =>
  boardPublisher({ url, region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' } });

it('publishes the message as JSON text on its channel, signed for appsync; a failed one is sent again', async () => {
  failFirst = 1;
  await board().publish('/board/NYC', [{ kind: 'waitTime', drink: 'Latte' }]);
  expect(received.map((r) => [r.body.channel, r.body.events])).toEqual([
    ['/board/NYC', ['{"kind":"waitTime","drink":"Latte"}']],
    ['/board/NYC', ['{"kind":"waitTime","drink":"Latte"}']],
  ]);
  expect(received[0]!.headers.authorization).toMatch(/Credential=AKID\/\d{8}\/us-east-1\/appsync\/aws4_request/);
});

it('throws when AppSync still does not take it, so the delivery is retried', async () => {
  received.length = 0;
  failFirst = 3;
  await expect(board().publish('/board/NYC', [{ kind: 'waitTime' }])).rejects.toThrow(
    'AppSync Events did not take 1 event(s) on /board/NYC: InternalFailure try again',
  );
  expect(received).toHaveLength(3);
});
