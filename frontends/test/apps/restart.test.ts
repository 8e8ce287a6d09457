// The board after a local cloud restart, in a real browser (playwright-core driving Chromium:
// PRESSO_CHROMIUM, default /usr/bin/chromium): the display is open and live; the local cloud is
// closed and started again on the same port with the same data directory, and the core deployed on
// it again, as `presso up --data-dir` does after a restart (the stack's ids are stable per stack
// name). The display says it is reconnecting, comes back live by itself (its token still verifies:
// the signing key is in the data directory) and shows an order placed after the restart.
// Screenshots: <tmp>/presso-apps-screenshots/display-restart-*.png.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CORE_DIR } from '@serverlesspresso/core/harness';
import { startLocalCloud, type LocalCloud } from '@serverlesspresso/local';
import { until } from '@serverlesspresso/testing/until';
import { ensureBuilt } from '../../build/build.js';
import { appConfig, appUrls, coreOutputsOf, webAppsService } from '../../build/serve.js';

const executablePath = process.env.PRESSO_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = join(tmpdir(), 'presso-apps-screenshots');
const SLOW = 90_000;
const dataDir = mkdtempSync(join(tmpdir(), 'presso-restart-'));

let cloud: LocalCloud | undefined;
let browser: Browser;
const logs: string[] = [];

/** The local cloud with the core deployed and the apps served, as `presso up --data-dir` starts it. */
async function up(port: number): Promise<{ cloud: LocalCloud; api: string; poolId: string }> {
  const started = await startLocalCloud({ port, dataDir, log: (line) => void logs.push(line) });
  cloud = started;
  const urls = appUrls(started.url);
  const list = Object.values(urls).join(',');
  const stack = await started.stacks.deploy({
    path: CORE_DIR,
    stackName: 'core',
    parameterOverrides: { CallbackURLs: list, LogoutURLs: list },
  });
  const core = coreOutputsOf({ ...stack.outputs, ...stack.localOutputs })!;
  started.edge.addService(webAppsService({ config: (app) => appConfig(core, urls[app]) }));
  return { cloud: started, api: stack.localOutputs.ApiUrl!, poolId: stack.outputs.UserPoolId! };
}

/** A token of the core's user pool from the local cloud (`presso token`). */
async function token(edge: string, user: string, groups: string[] = []): Promise<string> {
  const response = await fetch(`${edge}/_presso/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, groups }),
  });
  const body = (await response.json()) as { token?: string; message?: string };
  if (!body.token) throw new Error(`no token for ${user}: ${response.status} ${body.message}`);
  return body.token;
}

/** A customer scans the current code and orders a drink through the core's API; the order's number. */
async function placeOrder(edge: string, api: string): Promise<string> {
  const call = async (method: string, path: string, bearer: string, body?: unknown) => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json().catch(() => undefined)) as Record<string, unknown> };
  };
  const admin = await token(edge, 'ada-at-the-bar', ['admin']);
  const customer = await token(edge, 'kim');
  const qr = await call('GET', '/events/NYC/qr-code', admin);
  expect(qr.status).toBe(200);
  const scanned = await call('POST', '/events/NYC/orders', customer, { code: qr.body.code });
  expect(scanned.status).toBe(201);
  const orderId = String(scanned.body.orderId);
  await until(
    `order ${orderId} stored`,
    async () => (await call('GET', `/orders/${orderId}`, customer)).status === 200,
  );
  const drink = await call('PUT', `/orders/${orderId}/drink`, customer, { drink: 'Flat White', modifiers: ['Oat'] });
  expect(drink.status).toBe(200);
  return until(`order ${orderId} numbered`, async () => {
    const order = await call('GET', `/orders/${orderId}`, customer);
    return order.body?.orderNumber === undefined ? undefined : String(order.body.orderNumber);
  });
}

beforeAll(async () => {
  if (!existsSync(executablePath))
    throw new Error(
      `no Chromium at ${executablePath}: install it (apt-get install chromium) or set PRESSO_CHROMIUM to a Chromium or Chrome binary`,
    );
  mkdirSync(SCREENSHOTS, { recursive: true });
  await ensureBuilt();
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await cloud?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The connection badge (role status) once it says `value`. */
const status = (page: Page, value: string) =>
  page.locator(`.connection[data-status="${value}"][role="status"]`).waitFor({ timeout: SLOW });

it('the display recovers by itself from a restarted local cloud and shows an order placed after it', async () => {
  const first = await up(0);
  const port = first.cloud.port;
  // The TV signs in as the display device of NYC, with the sign-in an operator issued for it.
  const issued = await fetch(`${first.api}/events/NYC/displays`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await token(first.cloud.url, 'ada-at-the-bar', ['admin'])}` },
  });
  expect(issued.status).toBe(201);
  const tv = (await issued.json()) as { username: string; password: string };

  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const display = await context.newPage();
  try {
    await display.goto(appUrls(first.cloud.url).display);
    await display.waitForURL(/\/login\?/);
    await display.getByLabel('Email').fill(tv.username);
    await display.getByLabel('Password').fill(tv.password);
    await display.getByRole('button', { name: 'Sign in' }).click();
    await display.waitForURL((url) => url.pathname === '/apps/display/' && !url.searchParams.has('code'));
    const signedIn = display.url();
    await display.locator('.qr[data-url]').waitFor({ timeout: SLOW });
    await status(display, 'live');
    await expect(display.locator('[data-testid="queue"] .number').count()).resolves.toBe(0);

    await first.cloud.close();
    cloud = undefined;
    await status(display, 'polling');
    await expect(display.locator('.connection').textContent()).resolves.toMatch(/^Reconnecting…/);
    await display.screenshot({ path: join(SCREENSHOTS, 'display-restart-1-reconnecting.png') });

    const second = await up(port);
    expect(second.poolId).toBe(first.poolId);
    await status(display, 'live');
    const number = await placeOrder(second.cloud.url, second.api);
    await display.locator('[data-testid="queue"] .number', { hasText: number }).waitFor({ timeout: SLOW });
    // Still the same page: no reload, no sign-in again.
    expect(display.url()).toBe(signedIn);
    // Without the WaitTimes extension nothing puts waits on the board: the display shows none (bar.test.ts
    // deploys it and sees them).
    await expect(display.getByRole('heading', { name: 'Wait right now' }).count()).resolves.toBe(0);
    await expect(display.locator('.waits').count()).resolves.toBe(0);
    await display.screenshot({ path: join(SCREENSHOTS, 'display-restart-2-live-again.png') });
  } catch (e) {
    await display.screenshot({ path: join(SCREENSHOTS, 'failure-display-restart.png') }).catch(() => undefined);
    const text = await display
      .locator('body')
      .innerText({ timeout: 2000 })
      .catch(() => '(no text)');
    throw new Error(
      `${(e as Error).message}\n\nthe display showed at ${display.url()}:\n${text}\n\nlast logs:\n${logs.slice(-15).join('\n')}`,
    );
  } finally {
    await context.close();
  }
}, 400_000);
