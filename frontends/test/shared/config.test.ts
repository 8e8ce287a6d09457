import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, parseConfig } from '../../src/shared/config.js';

const AWS = {
  apiUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com/',
  userPoolDomain: 'serverlesspresso.auth.us-east-1.amazoncognito.com',
  clientId: '4tq1example2client3id',
  redirectUri: 'https://bar.example.com/order/',
  realtimeHttpUrl: 'xyz.appsync-api.us-east-1.amazonaws.com',
  realtimeWsUrl: 'xyz.appsync-realtime-api.us-east-1.amazonaws.com',
};

function problemsOf(input: unknown): string[] {
  try {
    parseConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected the config to be refused');
}

describe('config.json', () => {
  it('completes the bare hosts the stack outputs give (Dns.Http, Dns.Realtime, the domain)', () => {
    expect(parseConfig(AWS)).toEqual({
      apiUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com',
      auth: {
        domain: 'https://serverlesspresso.auth.us-east-1.amazoncognito.com',
        clientId: '4tq1example2client3id',
        redirectUri: 'https://bar.example.com/order/',
        logoutUri: 'https://bar.example.com/order/',
        scopes: ['openid', 'email', 'profile'],
      },
      realtime: {
        httpUrl: 'https://xyz.appsync-api.us-east-1.amazonaws.com/event',
        wsUrl: 'wss://xyz.appsync-realtime-api.us-east-1.amazonaws.com/event/realtime',
        host: 'xyz.appsync-api.us-east-1.amazonaws.com',
      },
    });
  });

  it('takes whole URLs as they are, http and ws on the local cloud', () => {
    const local = parseConfig({
      apiUrl: 'http://127.0.0.1:4566/apis/abc123',
      userPoolDomain: 'http://127.0.0.1:4566/domains/serverlesspresso',
      clientId: 'client1',
      redirectUri: 'http://127.0.0.1:4566/apps/order/',
      logoutUri: 'http://127.0.0.1:4566/apps/order/signed-out',
      scopes: ['openid', 'email'],
      realtimeHttpUrl: 'http://127.0.0.1:4566/appsync/xyz/event',
      realtimeWsUrl: 'ws://127.0.0.1:4566/appsync/xyz/event/realtime',
    });
    expect(local.realtime).toEqual({
      httpUrl: 'http://127.0.0.1:4566/appsync/xyz/event',
      wsUrl: 'ws://127.0.0.1:4566/appsync/xyz/event/realtime',
      host: '127.0.0.1:4566',
    });
    expect(local.auth.logoutUri).toBe('http://127.0.0.1:4566/apps/order/signed-out');
    expect(local.auth.scopes).toEqual(['openid', 'email']);
  });

  it('names every wrong field, why, and what to write', () => {
    const problems = problemsOf({
      apiUrl: 'ftp://api.example.com',
      clientId: 'has spaces',
      redirectUri: 'https://bar.example.com/?x=1',
      realtimeHttpUrl: 42,
      realtimeWsUrl: 'https://xyz.example.com/event/realtime',
      scopes: ['email'],
    });
    expect(problems).toEqual([
      'apiUrl must start with https: or http:, not ftp: (ftp://api.example.com).',
      'userPoolDomain is missing: add the https: or http: URL such as https://serverlesspresso.auth.us-east-1.amazoncognito.com.',
      'redirectUri must not carry a query or fragment (https://bar.example.com/?x=1).',
      'realtimeHttpUrl must be a string, the https: or http: URL such as https://abc.appsync-api.us-east-1.amazonaws.com/event; it is 42.',
      'realtimeWsUrl must start with wss: or ws:, not https: (https://xyz.example.com/event/realtime).',
      `clientId must be the user pool app client's id (letters, digits, underscores; the UserPoolClientId output); it is "has spaces".`,
      'scopes must include "openid": without it the user pool gives no ID token.',
    ]);
    expect(() => parseConfig([])).toThrow(/config.json is not a valid app config:\n- it must be a JSON object/);
  });
});

describe('loadConfig', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/order/config.json')
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(AWS));
      else if (request.url === '/broken/config.json') response.writeHead(200).end('{not json');
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads config.json beside the page', async () => {
    const config = await loadConfig({ base: `${base}/order/index.html` });
    expect(config.auth.clientId).toBe(AWS.clientId);
  });

  it('says where config.json is missing or broken', async () => {
    await expect(loadConfig({ base: `${base}/nowhere/` })).rejects.toThrow(
      `${base}/nowhere/config.json is not a valid app config:\n- the server answered 404: deploy config.json beside the app`,
    );
    await expect(loadConfig({ base: `${base}/broken/` })).rejects.toThrow(/broken\/config.json .*\n- it is not JSON/);
  });
});
