// The pure parts of AppSync Events: channel paths and wildcards, the header-<base64url>
// subprotocol, the IAM action and resource of each operation, and the local URL rewriting.
import { describe, expect, it } from '@jest/globals';
import { iamRequestOf } from '../../src/services/appsync/auth.js';
import { channelMatches, parseChannel } from '../../src/services/appsync/channels.js';
import { headersOfSubprotocols } from '../../src/services/appsync/realtime.js';
import { localAppSyncUrls } from '../../src/services/appsync/urls.js';

describe('channels', () => {
  it('reads a path with or without its leading slash', () => {
    expect(parseChannel('staff/NYC', false)).toEqual({
      path: '/staff/NYC',
      segments: ['staff', 'NYC'],
      namespace: 'staff',
      wildcard: false,
    });
  });

  it.each([
    ['/a/b/c/d/e/f', false, 'has 6 segments'],
    ['/a/b c', false, "segment 2 ('b c')"],
    ['/a//b', false, "segment 2 ('')"],
    ['/a/*', false, 'publishing to a wildcard channel is not allowed'],
    ['/*', true, "segment 1 ('*')"],
    ['/a/*/b', true, "segment 2 ('*')"],
    ['', false, 'channel is required'],
  ])('refuses %j (subscribe: %s)', (channel, subscribe, reason) => {
    expect(() => parseChannel(channel, subscribe)).toThrow(reason);
  });

  it('matches a wildcard subscription below its path only', () => {
    const sub = parseChannel('/staff/NYC/*', true);
    const pub = (p: string) => channelMatches(sub, parseChannel(p, false));
    expect(pub('/staff/NYC/bar')).toBe(true);
    expect(pub('/staff/NYC/bar/1')).toBe(true);
    expect(pub('/staff/NYC')).toBe(false);
    expect(pub('/staff/LA/bar')).toBe(false);
    expect(channelMatches(parseChannel('/staff/NYC', true), parseChannel('/staff/NYC', false))).toBe(true);
  });
});

describe('the header subprotocol', () => {
  it('carries the authorization headers as base64url JSON', () => {
    const headers = { host: 'x.appsync-api.us-east-1.amazonaws.com', authorization: 'eyJ.a+b/c' };
    const protocol = `header-${Buffer.from(JSON.stringify(headers)).toString('base64url')}`;
    expect(headersOfSubprotocols(['aws-appsync-event-ws', protocol])).toEqual(headers);
    expect(headersOfSubprotocols(['aws-appsync-event-ws'])).toBeUndefined();
    expect(headersOfSubprotocols(['header-!!!'])).toBeUndefined();
  });
});

describe('IAM', () => {
  const api = { apiId: 'abc', region: 'eu-west-1', accountId: '123456789012' };
  it('names the action and resource of each operation', () => {
    expect(iamRequestOf('connect', api)).toEqual({
      action: 'appsync:EventConnect',
      resource: 'arn:aws:appsync:eu-west-1:123456789012:apis/abc',
    });
    expect(iamRequestOf('publish', api, 'staff')).toEqual({
      action: 'appsync:EventPublish',
      resource: 'arn:aws:appsync:eu-west-1:123456789012:apis/abc/channelNamespace/staff',
    });
    expect(iamRequestOf('subscribe', api, 'orders').action).toBe('appsync:EventSubscribe');
  });
});

describe('local URLs', () => {
  const id = 'abcdefghijklmnopqrstuvwxyz';
  it('points https://<Dns.Http> and wss://<Dns.Realtime> at the edge, and leaves bare domains', () => {
    const edge = 'http://127.0.0.1:4566';
    expect(localAppSyncUrls(`https://${id}.appsync-api.us-east-1.amazonaws.com/event`, edge)).toBe(
      `${edge}/appsync/${id}/event`,
    );
    expect(localAppSyncUrls(`wss://${id}.appsync-realtime-api.us-east-1.amazonaws.com/event/realtime`, edge)).toBe(
      `ws://127.0.0.1:4566/appsync/${id}/event/realtime`,
    );
    expect(localAppSyncUrls(`${id}.appsync-api.us-east-1.amazonaws.com`, edge)).toBe(
      `${id}.appsync-api.us-east-1.amazonaws.com`,
    );
  });
});
