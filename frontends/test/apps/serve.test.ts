// The apps' edge service and config.json, on a real HTTP server (no local cloud): what `presso up`
// serves, checked without deploying a core.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { parseConfig, type ConfigFile as SharedConfigFile } from '../../src/shared/config.js';
import { appConfig, appUrls, coreOutputsOf, webAppsService, type ConfigFile } from '../../build/serve.js';
import { outputsOf } from '../../build/write-config.js';

const outputs = {
  ApiUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com',
  AuthDomainUrl: 'https://bar.auth.us-east-1.amazoncognito.com',
  UserPoolClientId: 'client1',
  RealtimeHttpUrl: 'https://xyz.appsync-api.us-east-1.amazonaws.com/event',
  RealtimeUrl: 'wss://xyz.appsync-realtime-api.us-east-1.amazonaws.com/event/realtime',
  UserPoolId: 'us-east-1_x',
};
let server: Server;
let base: string;
let coreDeployed = true;
let dist: string;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'presso-apps-serve-'));
  mkdirSync(join(dist, 'order'));
  writeFileSync(join(dist, 'order', 'index.html'), '<!doctype html><title>Order</title>');
  writeFileSync(join(dist, 'order', 'app.js'), 'console.log(1)');
  writeFileSync(join(dist, 'secret.txt'), 'not an app file');
  const service = webAppsService({
    distDir: dist,
    config: (app) => (coreDeployed ? appConfig(coreOutputsOf(outputs)!, appUrls(base)[app]) : undefined),
  });
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://edge');
    const request = { method: req.method!, path: url.pathname, query: url.searchParams };
    if (service.accepts(request)) void service.serve(request, res);
    else res.writeHead(418).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dist, { recursive: true, force: true });
});

it("writes a config.json that the shared module's loadConfig takes, pointing back at the app", () => {
  const config: SharedConfigFile = appConfig(coreOutputsOf(outputs)!, 'https://d1.cloudfront.net/order/');
  const parsed = parseConfig(config);
  expect(parsed.auth).toMatchObject({
    redirectUri: 'https://d1.cloudfront.net/order/',
    logoutUri: 'https://d1.cloudfront.net/order/',
    clientId: 'client1',
  });
  expect(parsed.realtime.host).toBe('xyz.appsync-api.us-east-1.amazonaws.com');
  // The two declarations of the file agree both ways.
  const back: ConfigFile = config;
  expect(back).toBe(config);
});

it('needs every output the apps use, and reads describe-stacks output lists', () => {
  expect(coreOutputsOf({ ...outputs, RealtimeUrl: '' })).toBeUndefined();
  expect(outputsOf([{ OutputKey: 'ApiUrl', OutputValue: 'https://a' }])).toEqual({ ApiUrl: 'https://a' });
});

it('serves an app, its files and config.json; redirects the bare path keeping the query; refuses the rest', async () => {
  const page = await fetch(`${base}/apps/order/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect((await fetch(`${base}/apps/order/app.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  const config = (await (await fetch(`${base}/apps/order/config.json`)).json()) as ConfigFile;
  expect(config.redirectUri).toBe(`${base}/apps/order/`);
  const bare = await fetch(`${base}/apps/order?event=NYC&code=A1`, { redirect: 'manual' });
  expect(bare.status).toBe(308);
  expect(bare.headers.get('location')).toBe('/apps/order/?event=NYC&code=A1');
  expect((await fetch(`${base}/apps/order/%2e%2e/secret.txt`)).status).toBe(404);
  expect((await fetch(`${base}/apps/kitchen/`)).status).toBe(404);
  expect((await fetch(`${base}/apps/order/`, { method: 'POST' })).status).toBe(405);
  coreDeployed = false;
  const missing = await fetch(`${base}/apps/order/config.json`);
  expect(missing.status).toBe(503);
  expect(((await missing.json()) as { message: string }).message).toContain('No core is deployed');
  coreDeployed = true;
});
