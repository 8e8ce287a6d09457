// The sign-in pages in a real browser (playwright-core driving Chromium: PRESSO_CHROMIUM, default
// /usr/bin/chromium), on a phone (390x844) and a tablet (820x1180): a person creates an account by
// label and keyboard, sees the error next to the field that has it, confirms with the printed code
// and lands on the app. Screenshots go to <tmp>/presso-sign-in-screenshots/ for a human to look at.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import { authorizeUrl, pkce } from '@serverlesspresso/testing/oauth';
import { until } from '@serverlesspresso/testing/until';
import { startLocalCloud, type LocalCloud } from '../../src/index.js';

const fixture = new URL('./fixtures/coffee-pool', import.meta.url).pathname;
const executablePath = process.env.PRESSO_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(tmpdir(), 'presso-sign-in-screenshots');

let cloud: LocalCloud;
let app: Server;
let browser: Browser;
let callback: string;
let authorize: string;
const logs: string[] = [];

beforeAll(async () => {
  if (!existsSync(executablePath))
    throw new Error(
      `no Chromium at ${executablePath}: install it (apt-get install chromium) or set PRESSO_CHROMIUM to a Chromium or Chrome binary`,
    );
  mkdirSync(SCREENSHOTS, { recursive: true });
  app = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>App</title><h1>the app</h1>'),
  );
  await new Promise<void>((resolve) => app.listen(0, resolve));
  callback = `http://localhost:${(app.address() as AddressInfo).port}/callback`;
  cloud = await startLocalCloud({ port: 0, log: (line) => void logs.push(line) });
  const stack = await cloud.stacks.deploy({
    path: fixture,
    stackName: 'coffee',
    parameterOverrides: { CallbackURL: callback },
  });
  authorize = authorizeUrl(stack.localOutputs.AuthUrl!, {
    clientId: stack.outputs.ClientId!,
    redirectUri: callback,
    challenge: pkce().challenge,
  });
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await cloud?.close();
  await new Promise((resolve) => app?.close(resolve));
});

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** The id of the element that has the keyboard focus. */
const focused = (page: Page) => page.evaluate<string>("document.activeElement?.id ?? ''");

for (const [device, viewport] of [
  ['phone', { width: 390, height: 844 }],
  ['tablet', { width: 820, height: 1180 }],
] as const) {
  describe(`on a ${device} (${viewport.width}x${viewport.height})`, () => {
    it('creates an account by label and keyboard, shows errors by their field, confirms with the printed code', async () => {
      const context = await browser.newContext({ viewport, isMobile: device === 'phone', hasTouch: true });
      const page = await context.newPage();
      const email = `${device}@example.com`;
      await page.goto(authorize);
      await expect(page.getByRole('heading', { level: 1 })).toBeDefined();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
      // The first field has the focus; the form is usable without a pointer.
      expect(await focused(page)).toBe('f-email');
      await shot(page, `${device}-1-sign-in`);
      // Nothing scrolls sideways.
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(viewport.width);

      await page.getByRole('link', { name: 'New here? Create an account' }).click();
      await page.waitForURL(/\/signup\?/);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Create an account');
      await page.getByLabel('Email').fill(email);
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('f-password');
      await page.keyboard.type('short');
      await page.keyboard.press('Enter');
      // The error is announced, tied to the password field, and the field gets the focus.
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).toContain(
        'Password: Your password needs at least 8 characters',
      );
      const password = page.getByLabel('Password');
      expect(await password.getAttribute('aria-invalid')).toBe('true');
      expect(await password.getAttribute('aria-describedby')).toContain('f-password-error');
      expect(await focused(page)).toBe('f-password');
      expect(await page.getByLabel('Email').inputValue()).toBe(email);
      await shot(page, `${device}-2-sign-up-error`);

      await password.fill('Espresso!2026');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(/\/confirmUser\?/);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Confirm your account');
      expect(await page.getByLabel('Email').inputValue()).toBe(email);
      expect(await focused(page)).toBe('f-code');
      await shot(page, `${device}-3-confirm`);
      const code = await until('the printed confirmation code', () =>
        logs.map((l) => new RegExp(`confirmation code for ${email}: (\\d{6})`).exec(l)?.[1]).find(Boolean),
      );
      await page.getByLabel('Confirmation code').fill(code === '000000' ? '111111' : '000000');
      await page.getByRole('button', { name: 'Confirm', exact: true }).click();
      expect(await page.getByRole('alert').textContent()).toContain('That code is not right.');
      await shot(page, `${device}-4-confirm-error`);
      await page.getByLabel('Confirmation code').fill(code);
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.toString().startsWith(callback));
      expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();
      await context.close();
    });
  });
}

it('resets a forgotten password on a phone', async () => {
  // A user of its own, so the test runs alone too.
  const pool = cloud.stacks.get('coffee')!.outputs.PoolId!;
  const signedUp = await cloud.users.signUp(pool, 'reset@example.com', 'Espresso!2026');
  cloud.users.confirm(pool, 'reset@example.com', signedUp.code);
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(authorize);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.waitForURL(/\/forgotPassword\?/);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Reset your password');
  await shot(page, 'phone-5-forgot-password');
  await page.getByLabel('Email').fill('reset@example.com');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/confirmForgotPassword\?/);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Choose a new password');
  expect(await focused(page)).toBe('f-code');
  const code = await until('the printed reset code', () =>
    logs.map((l) => /password reset code for reset@example\.com: (\d{6})/.exec(l)?.[1]).find(Boolean),
  );
  await page.getByLabel('Reset code').fill(code);
  await page.getByLabel('New password').fill('Lungo!20266');
  await shot(page, 'phone-6-new-password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.waitForURL(/\/login\?/);
  expect(await page.getByRole('status').textContent()).toContain('Your password is changed');
  await shot(page, 'phone-7-password-changed');
  // The email is kept; the password field has the focus.
  expect(await page.getByLabel('Email').inputValue()).toBe('reset@example.com');
  expect(await focused(page)).toBe('f-password');
  await page.getByLabel('Password').fill('Lungo!20266');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.toString().startsWith(callback));
  await page.close();
});

it('has text and controls large enough to read and tap on a phone', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(authorize);
  // Runs in the page (a string: this program has no DOM types).
  const sizes = await page.evaluate<Array<{ what: string; height: number; font: number }>>(`
    [...document.querySelectorAll('input:not([type=hidden]), button, a')].map((el) => ({
      what: el.outerHTML.slice(0, 60),
      height: el.getBoundingClientRect().height,
      font: parseFloat(getComputedStyle(el).fontSize),
    }))`);
  for (const s of sizes) {
    expect({ what: s.what, tall: s.height >= 44 }).toEqual({ what: s.what, tall: true });
    expect({ what: s.what, readable: s.font >= 16 }).toEqual({ what: s.what, readable: true });
  }
  await page.close();
});
