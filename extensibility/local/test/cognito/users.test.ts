// The user directory's rules, without a cloud: sign-up and confirmation codes, sign-in, the password
// policy's messages, groups, and a snapshot that loads back into the same users.
import { expect, it } from '@jest/globals';
import { passwordProblems, UserDirectory, UserError } from '../../src/services/cognito/users.js';

const POOL = 'us-east-1_Pool';

function directory() {
  let now = 1_000_000;
  let changes = 0;
  const users = new UserDirectory({ now: () => now, onChange: () => void changes++ });
  return { users, advance: (ms: number) => void (now += ms), changes: () => changes };
}

const refusal = async (f: () => unknown) => {
  try {
    await f();
  } catch (e) {
    if (e instanceof UserError) return { code: e.code, field: e.field, message: e.message, help: e.help };
    throw e;
  }
  throw new Error('not refused');
};

it('signs up an UNCONFIRMED user whose username is the sub, confirmed by its 6-digit code', async () => {
  const { users, changes } = directory();
  const { user, code } = await users.signUp(POOL, ' Ana@Example.com ', 'Espresso!2026');
  expect(code).toMatch(/^\d{6}$/);
  expect(user).toMatchObject({
    email: 'ana@example.com',
    status: 'UNCONFIRMED',
    emailVerified: false,
    username: user.sub,
  });
  expect(await refusal(() => users.authenticate(POOL, 'ana@example.com', 'Espresso!2026'))).toMatchObject({
    code: 'UserNotConfirmedException',
  });
  expect(await refusal(() => users.confirm(POOL, 'ana@example.com', code === '123456' ? '654321' : '123456'))).toEqual({
    code: 'CodeMismatchException',
    field: 'code',
    message: 'Invalid verification code provided, please try again.',
    help: 'That code is not right. Enter the code from the latest email, or send a new one.',
  });
  expect(users.confirm(POOL, 'ana@example.com', code)).toMatchObject({ status: 'CONFIRMED', emailVerified: true });
  expect((await users.authenticate(POOL, 'ANA@example.com', 'Espresso!2026')).sub).toBe(user.sub);
  expect(changes()).toBe(2);
});

it('refuses a code after 24 hours, and a new code works', async () => {
  const { users, advance } = directory();
  const { code } = await users.signUp(POOL, 'bo@example.com', 'Espresso!2026');
  advance(24 * 3600_000);
  expect(await refusal(() => users.confirm(POOL, 'bo@example.com', code))).toMatchObject({
    code: 'ExpiredCodeException',
  });
  const fresh = users.resendCode(POOL, 'bo@example.com').code;
  expect(users.confirm(POOL, 'bo@example.com', fresh).status).toBe('CONFIRMED');
});

it('answers a wrong password and an unknown email alike, as Cognito does', async () => {
  const { users } = directory();
  const { code } = await users.signUp(POOL, 'cy@example.com', 'Espresso!2026');
  users.confirm(POOL, 'cy@example.com', code);
  const wrong = await refusal(() => users.authenticate(POOL, 'cy@example.com', 'Espresso!2027'));
  const unknown = await refusal(() => users.authenticate(POOL, 'nobody@example.com', 'Espresso!2026'));
  expect(wrong).toEqual(unknown);
  expect(wrong).toEqual({
    code: 'NotAuthorizedException',
    field: 'password',
    message: 'Incorrect username or password.',
    help: 'Incorrect email or password.',
  });
  expect(await refusal(() => users.authenticate(POOL, 'not an email', 'x'))).toMatchObject({ field: 'email' });
});

it("names what a password lacks under Cognito's default policy", async () => {
  expect(passwordProblems('short')).toEqual(['at least 8 characters', 'an uppercase letter', 'a number', 'a symbol']);
  expect(passwordProblems('Espresso!2026')).toEqual([]);
  expect(await refusal(() => directory().users.signUp(POOL, 'di@example.com', 'espresso2026'))).toEqual({
    code: 'InvalidPasswordException',
    field: 'password',
    message: 'Password did not conform with policy: Password must have uppercase characters',
    help: 'Your password needs an uppercase letter and a symbol.',
  });
});

it('refuses a second sign-up of a confirmed email, and lets an unconfirmed one start again', async () => {
  const { users } = directory();
  const first = await users.signUp(POOL, 'ed@example.com', 'Espresso!2026');
  const second = await users.signUp(POOL, 'ed@example.com', 'Espresso!2027');
  expect(second.user.sub).not.toBe(first.user.sub);
  users.confirm(POOL, 'ed@example.com', second.code);
  expect(await refusal(() => users.signUp(POOL, 'ed@example.com', 'Espresso!2026'))).toMatchObject({
    code: 'UsernameExistsException',
    field: 'email',
  });
});

it('keeps groups, and a snapshot loads back into the same users', async () => {
  const { users } = directory();
  const { code } = await users.signUp(POOL, 'fe@example.com', 'Espresso!2026');
  users.confirm(POOL, 'fe@example.com', code);
  users.addToGroup(POOL, 'fe@example.com', 'barista');
  users.addToGroup(POOL, 'fe@example.com', 'barista');
  const restored = new UserDirectory();
  restored.load(JSON.parse(JSON.stringify(users.snapshot())));
  expect(restored.get(POOL, 'fe@example.com').groups).toEqual(['barista']);
  expect((await restored.authenticate(POOL, 'fe@example.com', 'Espresso!2026')).status).toBe('CONFIRMED');
  restored.removeFromGroup(POOL, 'fe@example.com', 'barista');
  expect(restored.get(POOL, 'fe@example.com').groups).toEqual([]);
  expect(restored.find('other-pool', 'fe@example.com')).toBeUndefined();
});
