// Per-event roles, attacked: the core on the local cloud, people made staff of one event through the
// staff routes (groups <eventId>.barista / .admin, created on demand), a display device issued by
// an admin and signed in through the user pool's pages, then every staff route tried across events,
// every write route tried with the display's token, a customer on another's order, and the realtime
// channels subscribed across events. Each refusal is checked for its code and its sentence.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminCreateUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StackEventApi } from '@serverlesspresso/local';
import { authorizeUrl, claimsOf, HttpBrowser, pkce, tokenRequest } from '@serverlesspresso/testing/oauth';
import {
  currentCode,
  queuedOrder,
  startCore,
  stored,
  Subscriber,
  type Core,
  type User,
} from '../integration/harness.js';

let core: Core;
let app: Server;
let callback: string;
let operator: User, alice: User, bob: User;
/** Staff of NYC (the seed event) and of LA (a second event); lara is also a barista of SF_POP. */
let nina: User, ned: User, lara: User, leo: User;
let display: { user: User; displayId: string; username: string; refreshToken: string };
let channels: StackEventApi;
const subscribers: Subscriber[] = [];

const PEOPLE = ['nina@example.com', 'ned@example.com', 'lara@example.com', 'leo@example.com', 'zoe@example.com'];

/** A person who has an account (as after signing up), by the admin API. */
async function createPeople(): Promise<void> {
  const idp = new CognitoIdentityProviderClient({
    endpoint: core.cloud.url,
    region: core.cloud.account.region,
    credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
  });
  try {
    for (const email of PEOPLE)
      await idp.send(
        new AdminCreateUserCommand({
          UserPoolId: core.stack.outputs.UserPoolId!,
          Username: email,
          TemporaryPassword: 'Temporary!2026',
          MessageAction: 'SUPPRESS',
        }),
      );
  } finally {
    idp.destroy();
  }
}

async function addStaff(by: User, eventId: string, email: string, role: string) {
  const r = await core.http('PUT', `/events/${eventId}/staff/${email}`, { user: by, body: { role } });
  if (r.status !== 200) throw new Error(`PUT staff ${email} ${eventId}: ${r.status} ${r.text}`);
}

/** Signs in on the user pool's page with a username and password, as the display app does once. */
async function signIn(username: string, password: string) {
  const authUrl = core.stack.localOutputs.AuthDomainUrl!;
  const clientId = core.stack.outputs.UserPoolClientId!;
  const { verifier, challenge } = pkce();
  const browser = new HttpBrowser();
  const login = await browser.open(
    authorizeUrl(authUrl, {
      clientId: clientId,
      redirectUri: callback,
      challenge: challenge,
      scope: 'openid email profile',
      state: 'tv',
    }),
  );
  const landed = await browser.submit(login, { email: username, password });
  if (!landed.url.startsWith(`${callback}?`)) throw new Error(`sign-in of ${username} failed: ${landed.text}`);
  const tokens = await tokenRequest(authUrl, {
    grant_type: 'authorization_code',
    client_id: clientId,
    redirect_uri: callback,
    code: new URL(landed.url).searchParams.get('code')!,
    code_verifier: verifier,
  });
  return tokens.body;
}

const refresh = (refreshToken: string) =>
  tokenRequest(core.stack.localOutputs.AuthDomainUrl!, {
    grant_type: 'refresh_token',
    client_id: core.stack.outputs.UserPoolClientId!,
    refresh_token: refreshToken,
  });

const connect = async (user: User) => {
  const s = await Subscriber.connect(channels, user.token);
  subscribers.push(s);
  return s;
};

beforeAll(async () => {
  app = createServer((_req, res) => void res.writeHead(200).end('the app'));
  await new Promise<void>((resolve) => app.listen(0, resolve));
  callback = `http://localhost:${(app.address() as AddressInfo).port}/callback`;
  core = await startCore({ parameterOverrides: { CallbackURLs: callback } });
  channels = core.stack.eventApis.RealtimeApi!;
  [operator, alice, bob] = await Promise.all([core.user('olga', ['admin']), core.user('alice'), core.user('bob')]);
  await createPeople();
  for (const eventId of ['LA', 'SF_POP'])
    expect(
      (await core.http('PATCH', `/events/${eventId}/config`, { user: operator, body: { storeOpen: true } })).status,
    ).toBe(201);
  await addStaff(operator, 'NYC', 'ned@example.com', 'admin');
  await addStaff(operator, 'LA', 'leo@example.com', 'admin');
  // An event's admin adds its baristas.
  const nedEarly = await core.user('ned@example.com');
  await addStaff(nedEarly, 'NYC', 'nina@example.com', 'barista');
  const leoEarly = await core.user('leo@example.com');
  await addStaff(leoEarly, 'LA', 'lara@example.com', 'barista');
  await addStaff(operator, 'SF_POP', 'lara@example.com', 'barista');
  // Registered users' tokens carry the groups they are in now.
  [nina, ned, lara, leo] = await Promise.all([
    core.user('nina@example.com'),
    core.user('ned@example.com'),
    core.user('lara@example.com'),
    core.user('leo@example.com'),
  ]);
  const issued = await core.http<{ displayId: string; username: string; password: string }>(
    'POST',
    '/events/NYC/displays',
    { user: ned },
  );
  expect(issued.status).toBe(201);
  const tokens = await signIn(issued.body.username, issued.body.password);
  display = {
    user: { name: 'tv', token: tokens.id_token!, sub: claimsOf(tokens.id_token!).sub as string },
    displayId: issued.body.displayId,
    username: issued.body.username,
    refreshToken: tokens.refresh_token!,
  };
}, 180_000);

afterAll(async () => {
  for (const s of subscribers) s.close();
  await core?.close();
  await new Promise((resolve) => app?.close(resolve));
});

describe('staff per event', () => {
  it('each person works the events they were added to, as GET /me/events says; an operator all of them', async () => {
    expect((await core.http('GET', '/me/events', { user: lara })).body).toEqual({
      userId: lara.sub,
      operator: false,
      events: [
        { eventId: 'LA', roles: ['barista'] },
        { eventId: 'SF_POP', roles: ['barista'] },
      ],
    });
    expect((await core.http('GET', '/me/events', { user: alice })).body).toMatchObject({ events: [] });
    const all = await core.http<{ operator: boolean; events: { eventId: string; roles: string[] }[] }>(
      'GET',
      '/me/events',
      { user: operator },
    );
    expect(all.body.operator).toBe(true);
    expect(all.body.events).toEqual(
      expect.arrayContaining([
        { eventId: 'LA', roles: ['admin'] },
        { eventId: 'NYC', roles: ['admin'] },
      ]),
    );
    expect(claimsOf(display.user.token)['cognito:groups']).toEqual(['NYC.display']);
    expect((await core.http('GET', '/me/events', { user: display.user })).body).toMatchObject({
      events: [{ eventId: 'NYC', roles: ['display'] }],
    });
  });

  it("an event's admin lists and changes its staff, and only its own", async () => {
    const staff = await core.http<{ staff: unknown[]; displays: { displayId: string }[] }>('GET', '/events/LA/staff', {
      user: leo,
    });
    expect(staff.status).toBe(200);
    expect(staff.body.staff).toEqual([
      { email: 'lara@example.com', userId: lara.sub, roles: ['barista'] },
      { email: 'leo@example.com', userId: leo.sub, roles: ['admin'] },
    ]);
    expect(staff.body.displays).toEqual([]);
    const nyc = await core.http<{ displays: { displayId: string }[] }>('GET', '/events/NYC/staff', { user: ned });
    expect(nyc.body.displays.map((d) => d.displayId)).toEqual([display.displayId]);

    expect(await core.http('GET', '/events/NYC/staff', { user: leo })).toMatchObject({
      status: 403,
      body: { error: 'NOT_EVENT_STAFF' },
    });
    // An admin of LA cannot make himself staff of NYC, nor issue NYC a display.
    expect(
      await core.http('PUT', '/events/NYC/staff/leo@example.com', { user: leo, body: { role: 'admin' } }),
    ).toMatchObject({ status: 403, body: { error: 'NOT_EVENT_STAFF' } });
    expect((await core.http('POST', '/events/NYC/displays', { user: leo })).status).toBe(403);
    // A barista is not an admin of their event.
    expect(
      await core.http('PUT', '/events/NYC/staff/zoe@example.com', { user: nina, body: { role: 'barista' } }),
    ).toMatchObject({
      status: 403,
      body: {
        error: 'NOT_EVENT_ADMIN',
        message:
          'Only an admin of event NYC (or an operator) may add staff to the event: ask an admin of NYC to make you one, then sign in again.',
      },
    });
    expect(
      await core.http('PUT', '/events/NYC/staff/nobody@example.com', { user: ned, body: { role: 'barista' } }),
    ).toMatchObject({ status: 404, body: { error: 'USER_NOT_FOUND' } });
    expect(
      await core.http('PUT', '/events/NYC/staff/zoe@example.com', { user: ned, body: { role: 'display' } }),
    ).toMatchObject({ status: 400, body: { error: 'INVALID_ROLE' } });
    expect(
      await core.http('PUT', '/events/GHOST/staff/zoe@example.com', { user: operator, body: { role: 'barista' } }),
    ).toMatchObject({ status: 404, body: { error: 'EVENT_NOT_FOUND' } });

    // Added, then removed: the next token has it, then not.
    await addStaff(ned, 'NYC', 'zoe@example.com', 'barista');
    expect(claimsOf((await core.user('zoe@example.com')).token)['cognito:groups']).toEqual(['NYC.barista']);
    expect((await core.http('DELETE', '/events/NYC/staff/zoe@example.com', { user: ned })).body).toMatchObject({
      removed: ['admin', 'barista'],
    });
    expect(claimsOf((await core.user('zoe@example.com')).token)).not.toHaveProperty('cognito:groups');
  });
});

describe('staff of another event can do nothing to an event', () => {
  it('refuses every staff route on an order, the queue, the config and the QR code of NYC to staff of LA', async () => {
    const orderId = await queuedOrder(core, operator, alice, { drink: 'Espresso' });
    const routes = [
      ['GET', '/events/NYC/queue'],
      ['GET', '/events/NYC/orders?status=SUBMITTED'],
      ['POST', `/orders/${orderId}/make`],
      ['POST', `/orders/${orderId}/unmake`],
      ['POST', `/orders/${orderId}/complete`],
      ['POST', `/orders/${orderId}/cancel`],
      ['GET', '/events/NYC/config'],
      ['PATCH', '/events/NYC/config'],
      ['GET', '/events/NYC/qr-code'],
      ['GET', '/events/NYC/display'],
      ['GET', '/events/NYC/staff'],
    ] as const;
    for (const who of [lara, leo]) {
      for (const [method, path] of routes) {
        const r = await core.http(method, path, {
          user: who,
          ...(method === 'PATCH' ? { body: { storeOpen: false } } : {}),
        });
        expect({ who: who.name, method, path, status: r.status, error: r.body.error }).toEqual({
          who: who.name,
          method,
          path,
          status: 403,
          error: 'NOT_EVENT_STAFF',
        });
        expect(r.body.message).toMatch(/^You are not staff of event NYC, so you may not .+: ask an admin of NYC/);
      }
      // Reading the order or its journey as staff of another event: it is someone else's order.
      for (const path of [`/orders/${orderId}`, `/orders/${orderId}/journey`])
        expect(await core.http('GET', path, { user: who })).toMatchObject({
          status: 403,
          body: { error: 'NOT_YOUR_ORDER' },
        });
    }
    // Nothing changed; NYC's own barista works it.
    expect((await stored(core, alice, orderId)).status).toBe('SUBMITTED');
    expect((await core.http('GET', '/events/NYC/config', { user: operator })).body).toMatchObject({ storeOpen: true });
    expect((await core.http('POST', `/orders/${orderId}/make`, { user: nina })).status).toBe(200);
    expect((await core.http('POST', `/orders/${orderId}/complete`, { user: nina })).status).toBe(200);
    // LA's staff work LA: its queue, its config.
    expect((await core.http('GET', '/events/LA/queue', { user: lara })).status).toBe(200);
    expect((await core.http('PATCH', '/events/LA/config', { user: leo, body: { maxOrdersInQueue: 5 } })).status).toBe(
      200,
    );
  });

  it("refuses a customer on another customer's order: read, journey, drink, cancel", async () => {
    const carol = await core.user('carol');
    const orderId = await queuedOrder(core, operator, carol, { drink: 'Americano' });
    for (const [method, path, body] of [
      ['GET', `/orders/${orderId}`, undefined],
      ['GET', `/orders/${orderId}/journey`, undefined],
      ['GET', `/orders/${orderId}/journey.html`, undefined],
      ['PUT', `/orders/${orderId}/drink`, { drink: 'Espresso' }],
      ['POST', `/orders/${orderId}/cancel`, undefined],
    ] as const) {
      const r = await core.http(method, path, { user: bob, ...(body ? { body } : {}) });
      expect({ path, method, status: r.status }).toEqual({ path, method, status: 403 });
      if (!path.endsWith('.html')) expect(r.body).toMatchObject({ error: 'NOT_YOUR_ORDER' });
    }
    expect((await core.http('POST', `/orders/${orderId}/cancel`, { user: carol })).status).toBe(200);
  });
});

describe('a display device', () => {
  it("reads its event's board and QR code", async () => {
    expect((await core.http('GET', '/events/NYC/display', { user: display.user })).status).toBe(200);
    expect((await core.http('GET', '/events/NYC/qr-code', { user: display.user })).status).toBe(200);
  });

  it("is refused another event's board and QR code, and every other route, with a sentence", async () => {
    for (const path of ['/events/LA/display', '/events/LA/qr-code']) {
      const r = await core.http('GET', path, { user: display.user });
      expect({ path, status: r.status, error: r.body.error }).toEqual({ path, status: 403, error: 'DISPLAY_DEVICE' });
      expect(r.body.message).toMatch(/^This is the display device of event NYC: it shows that event's board/);
    }
    const orderId = await queuedOrder(core, operator, bob, { drink: 'Espresso' });
    const code = await currentCode(core, operator);
    const writes = [
      ['POST', '/events/NYC/orders', { code }],
      ['PUT', `/orders/${orderId}/drink`, { drink: 'Espresso' }],
      ['POST', `/orders/${orderId}/make`, undefined],
      ['POST', `/orders/${orderId}/unmake`, undefined],
      ['POST', `/orders/${orderId}/complete`, undefined],
      ['POST', `/orders/${orderId}/cancel`, undefined],
      ['PATCH', '/events/NYC/config', { storeOpen: false }],
      ['PUT', '/events/NYC/staff/zoe@example.com', { role: 'barista' }],
      ['DELETE', '/events/NYC/staff/nina@example.com', undefined],
      ['POST', '/events/NYC/displays', undefined],
      ['DELETE', `/events/NYC/displays/${display.displayId}`, undefined],
    ] as const;
    const reads = [
      ['GET', '/events/NYC/queue', undefined],
      ['GET', '/events/NYC/orders?status=SUBMITTED', undefined],
      ['GET', '/events/NYC/config', undefined],
      ['GET', '/events/NYC/menu', undefined],
      ['GET', '/events/NYC/my-orders', undefined],
      ['GET', '/events/NYC/staff', undefined],
      ['GET', `/orders/${orderId}`, undefined],
      ['GET', `/orders/${orderId}/journey`, undefined],
    ] as const;
    for (const [method, path, body] of [...writes, ...reads]) {
      const r = await core.http(method, path, { user: display.user, ...(body ? { body } : {}) });
      expect({ method, path, status: r.status, error: r.body.error }).toEqual({
        method,
        path,
        status: 403,
        error: 'DISPLAY_DEVICE',
      });
      expect(r.body.message).toContain('Sign in as a person');
    }
    expect((await stored(core, bob, orderId)).status).toBe('SUBMITTED');
  });

  it('is revoked by an admin of its event: it can no longer refresh nor sign in', async () => {
    expect((await refresh(display.refreshToken)).status).toBe(200);
    expect(await core.http('DELETE', `/events/LA/displays/${display.displayId}`, { user: leo })).toMatchObject({
      status: 404,
      body: { error: 'DISPLAY_NOT_FOUND' },
    });
    const revoked = await core.http('DELETE', `/events/NYC/displays/${display.displayId}`, { user: ned });
    expect(revoked).toMatchObject({ status: 200, body: { displayId: display.displayId } });
    expect(await refresh(display.refreshToken)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await core.http<{ displays: unknown[] }>('GET', '/events/NYC/staff', { user: ned })).body.displays).toEqual(
      [],
    );
  });
});

describe('the realtime channels check the event', () => {
  const unauthorized = {
    type: 'subscribe_error',
    errors: [{ errorType: 'UnauthorizedException', message: expect.any(String) as unknown }],
  };
  const ok = { type: 'subscribe_success' };

  it("refuses staff on another event's staff and board channels; lets them on their own", async () => {
    const la = await connect(lara);
    expect(await la.subscribe('nyc-staff', '/staff/NYC')).toMatchObject(unauthorized);
    expect(await la.subscribe('nyc-board', '/board/NYC')).toMatchObject(unauthorized);
    expect(await la.subscribe('la-staff', '/staff/LA')).toMatchObject(ok);
    expect(await la.subscribe('la-board', '/board/LA')).toMatchObject(ok);
    // SF_POP's channel writes its '_' as '-'.
    expect(await la.subscribe('sf-staff', '/staff/SF-POP')).toMatchObject(ok);
    const ny = await connect(nina);
    expect(await ny.subscribe('la-staff', '/staff/LA')).toMatchObject(unauthorized);
    expect(await ny.subscribe('nyc-staff', '/staff/NYC')).toMatchObject(ok);
    const admin = await connect(leo);
    expect(await admin.subscribe('nyc-board', '/board/NYC')).toMatchObject(unauthorized);
    const op = await connect(operator);
    expect(await op.subscribe('la-staff', '/staff/LA')).toMatchObject(ok);
    expect(await op.subscribe('all', '/staff/*')).toMatchObject(unauthorized);
  });

  it("lets a display on its event's board only", async () => {
    // A display's token as issued (still valid after revocation until it expires: it is the signed
    // token the channel checks), so mint one for a display of NYC.
    const tv = await core.user('tv-2', ['NYC.display']);
    const board = await connect(tv);
    expect(await board.subscribe('nyc-board', '/board/NYC')).toMatchObject(ok);
    expect(await board.subscribe('nyc-staff', '/staff/NYC')).toMatchObject(unauthorized);
    expect(await board.subscribe('la-board', '/board/LA')).toMatchObject(unauthorized);
    expect(await board.subscribe('orders', `/orders/NYC/${alice.sub}`)).toMatchObject(unauthorized);
  });
});
