// Sign-up a bar can run, against the core on the local cloud: a customer signs up with Cognito's API
// (SignUp, the code "emailed" to GET /_presso/cognito/messages, ConfirmSignUp) and orders; an
// unverified email cannot order; a blocked account's still-valid token is refused; two accounts on
// one mailbox share the limit; a customer's order names nobody of the staff; a per-event wait of
// 1 minute times out at that. At speed 60 a minute of workflow time is a second.
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { until } from '@serverlesspresso/testing/until';
import { timeoutMessage } from '../../src/domain/index.js';
import { currentCode, queuedOrder, scan, startCore, stored, type Core, type User } from './harness.js';

const SPEED = 60;
let core: Core;
let idp: CognitoIdentityProviderClient;
let admin: User, barista: User;

beforeAll(async () => {
  core = await startCore({ speed: SPEED });
  idp = new CognitoIdentityProviderClient({
    endpoint: core.cloud.url,
    region: core.cloud.account.region,
    credentials: { accessKeyId: 'presso', secretAccessKey: 'presso' },
  });
  [admin, barista] = await Promise.all([core.user('ada', ['admin']), core.user('bea', ['NYC.barista'])]);
}, 180_000);

afterAll(async () => {
  const invalid = core?.invalid ?? [];
  idp?.destroy();
  await core?.close();
  expect(invalid).toEqual([]);
});

const ClientId = () => core.stack.outputs.UserPoolClientId!;
const UserPoolId = () => core.stack.outputs.UserPoolId!;

/** The latest confirmation code "emailed" to an address, as a developer reads it. */
async function emailedCode(email: string): Promise<string> {
  return until(`a confirmation code for ${email}`, async () => {
    const response = await fetch(
      `${core.cloud.url}/_presso/cognito/messages?${new URLSearchParams({ email, kind: 'confirmation' })}`,
    );
    const { messages } = (await response.json()) as { messages: { code: string; userPoolId: string }[] };
    return messages.at(-1)?.code;
  });
}

async function signUp(email: string): Promise<string> {
  const result = await idp.send(
    new SignUpCommand({
      ClientId: ClientId(),
      Username: email,
      Password: 'Cortado!2026',
      UserAttributes: [{ Name: 'email', Value: email }],
    }),
  );
  expect(result).toMatchObject({ UserConfirmed: false, CodeDeliveryDetails: { DeliveryMedium: 'EMAIL' } });
  return result.UserSub!;
}

const scanAs = async (customer: User, eventId = 'NYC') =>
  core.http<{ orderId: string; error: string; message: string }>('POST', `/events/${eventId}/orders`, {
    user: customer,
    body: { code: await currentCode(core, admin, eventId) },
  });

describe('sign-up with a confirmation code', () => {
  let olga: User;

  it('signs up, reads the code, confirms and orders', async () => {
    const sub = await signUp('olga@example.com');
    await idp.send(
      new ConfirmSignUpCommand({
        ClientId: ClientId(),
        Username: 'olga@example.com',
        ConfirmationCode: await emailedCode('olga@example.com'),
      }),
    );
    const user = await idp.send(new AdminGetUserCommand({ UserPoolId: UserPoolId(), Username: 'olga@example.com' }));
    expect(user.UserStatus).toBe('CONFIRMED');
    expect(user.UserAttributes).toContainEqual({ Name: 'email_verified', Value: 'true' });
    olga = await core.user('olga@example.com');
    expect(olga.sub).toBe(sub);
    const scanned = await scanAs(olga);
    expect(scanned.status).toBe(201);
    await stored(core, olga, scanned.body.orderId);
    expect((await core.http('POST', `/orders/${scanned.body.orderId}/cancel`, { user: olga })).status).toBe(200);
  });

  it('refuses the orders of an email not verified, saying what to do', async () => {
    await signUp('pat@example.com');
    const pat = await core.user('pat@example.com');
    const refused = await scanAs(pat);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'EMAIL_NOT_VERIFIED' });
    expect(refused.body.message).toMatch(
      /^Your email pat@example\.com is not verified yet, so you cannot order: enter the code/,
    );
    // A token whose email_verified is false is refused whoever it names.
    const unverified = await core.user('quinn', [], { emailVerified: false });
    expect((await scanAs(unverified)).body.error).toBe('EMAIL_NOT_VERIFIED');
  });

  it('blocks an account: disabled in the pool, and its token still valid refused by the validator', async () => {
    expect((await core.http('POST', `/users/${olga.sub}/block`, { user: barista })).body.error).toBe('WRONG_GROUP');
    const blocked = await core.http('POST', `/users/${olga.sub}/block`, { user: admin });
    expect(blocked).toMatchObject({ status: 200, body: { userId: olga.sub, blocked: true } });
    const user = await idp.send(new AdminGetUserCommand({ UserPoolId: UserPoolId(), Username: 'olga@example.com' }));
    expect(user.Enabled).toBe(false);
    const refused = await until('the order to be refused', async () => {
      const r = await scanAs(olga);
      return r.status === 201 ? undefined : r;
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('ACCOUNT_BLOCKED');
    expect(refused.body.message).toMatch(/blocked by the coffee bar/);
    expect((await core.http('POST', `/users/no-such-sub/block`, { user: admin })).status).toBe(404);

    expect((await core.http('POST', `/users/${olga.sub}/unblock`, { user: admin })).status).toBe(200);
    const again = await scanAs(olga);
    expect(again.status).toBe(201);
    await stored(core, olga, again.body.orderId);
    await core.http('POST', `/orders/${again.body.orderId}/cancel`, { user: olga });
  });
});

it('two accounts on one mailbox share the per-customer limit until the first order ends', async () => {
  const first = await core.user('ana-1', [], { email: 'Ana.Lima@gmail.com' });
  const second = await core.user('ana-2', [], { email: 'analima+coffee@googlemail.com' });
  const other = await core.user('ana-3', [], { email: 'ana.lima@example.com' });
  const orderId = await scan(core, admin, first);
  const refused = await scanAs(second);
  expect(refused.status).toBe(409);
  expect(refused.body.error).toBe('USER_LIMIT');
  expect(refused.body.message).toMatch(/^Another account with your email address already has an open order/);
  // Another mailbox is another person.
  const theirs = await scanAs(other);
  expect(theirs.status).toBe(201);
  await stored(core, first, orderId);
  expect((await core.http('POST', `/orders/${orderId}/cancel`, { user: first })).status).toBe(200);
  // The workflow gives the first account's place back, and with it the mailbox's.
  const admitted = await until('the second account to be admitted', async () => {
    const r = await scanAs(second);
    return r.status === 201 ? r.body.orderId : undefined;
  });
  for (const [user, id] of [
    [second, admitted],
    [other, theirs.body.orderId],
  ] as const) {
    await stored(core, user, id);
    await core.http('POST', `/orders/${id}/cancel`, { user });
  }
}, 60_000);

it("shows a customer their order without the barista's id; staff see it", async () => {
  const carla = await core.user('carla');
  const orderId = await queuedOrder(core, admin, carla);
  const made = await core.http('POST', `/orders/${orderId}/make`, { user: barista });
  expect(made.body).toMatchObject({ order: { status: 'MAKING', baristaUserId: barista.sub } });
  const views = async () => [
    (await core.http('GET', `/orders/${orderId}`, { user: carla })).text,
    (await core.http('GET', '/events/NYC/my-orders', { user: carla })).text,
    (await core.http('GET', `/orders/${orderId}/journey`, { user: carla })).text,
    (await core.http('GET', `/orders/${orderId}/journey.html`, { user: carla })).text,
  ];
  for (const text of await views()) expect(text).not.toContain(barista.sub);
  expect((await core.http('GET', `/orders/${orderId}`, { user: carla })).body).toMatchObject({ status: 'MAKING' });
  expect((await core.http('GET', `/orders/${orderId}`, { user: barista })).body).toMatchObject({
    baristaUserId: barista.sub,
  });
  expect((await core.http('POST', `/orders/${orderId}/complete`, { user: barista })).status).toBe(200);
  await core.event(
    'the order completed',
    (e) => e['detail-type'] === 'OrderManager.OrderNYC-COMPLETED' && e.detail.orderId === orderId,
  );
  for (const text of await views()) {
    expect(text).not.toContain(barista.sub);
    expect(text).not.toMatch(/baristaUserId|finishedBy/);
  }
}, 60_000);

it("times out at the event's own wait: 1 minute for the customer's drink", async () => {
  const created = await core.http('PATCH', '/events/QUICK/config', {
    user: admin,
    body: { storeOpen: true, customerWaitMinutes: 1 },
  });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ config: { customerWaitMinutes: 1, baristaWaitMinutes: 15 } });
  const dora = await core.user('dora');
  const orderId = await scan(core, admin, dora, 'QUICK');
  const started = await core.event(
    'the workflow to start',
    (e) => e['detail-type'] === 'OrderProcessor.WorkflowStarted' && e.detail.orderId === orderId,
  );
  const timedOut = await core.event(
    'the order to time out',
    (e) => e['detail-type'] === 'OrderProcessor.OrderTimeOut' && e.detail.orderId === orderId,
    10_000,
  );
  expect(timedOut.detail).toMatchObject({
    cause: 'customer',
    eventId: 'QUICK',
    Message: timeoutMessage('customer', 1),
  });
  // 60 s of workflow time at speed 60 (event times have whole seconds); the default 5 minutes would be 5 s.
  const waited = Date.parse(timedOut.time) - Date.parse(started.time);
  expect(waited).toBeGreaterThanOrEqual(0);
  expect(waited).toBeLessThanOrEqual(3000);
  await until('the order to be cancelled by its timeout', async () => {
    const r = await core.http('GET', `/orders/${orderId}`, { user: dora });
    return r.body.status === 'CANCELLED' ? r.body : undefined;
  });
}, 60_000);
