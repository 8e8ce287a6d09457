// A timed-out order in the console (Chromium, as console.test.ts): the core on a local cloud at
// speed 240 (the customer's 5 minutes to order a drink are 1.25 s); a customer scans and orders no
// drink; the workflow times out and cancels the order. A person opens Step Functions, the core's
// order processor, its execution, and sees where: "Wait for the drink order" timed out, and the
// history says States.Timeout. Screenshots: <tmp>/presso-console-screenshots/.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { scan, startCore, type Core } from '@serverlesspresso/core/harness';
import { ensureBuilt } from '../build/build.js';
import { consoleService, consoleUrl } from '../build/serve.js';
import { accessible, launchChromium, shot } from './browser.js';

let core: Core;
let browser: Browser;

beforeAll(async () => {
  await ensureBuilt();
  core = await startCore({ speed: 240 });
  core.cloud.edge.addService(consoleService());
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await core?.close();
});

it('shows where an order workflow timed out: waiting for the drink order', async () => {
  const [admin, alice] = await Promise.all([core.user('ada', ['admin']), core.user('alice')]);
  const orderId = await scan(core, admin, alice);
  await core.event(
    `the OrderTimeOut of ${orderId}`,
    (e) => e['detail-type'] === 'OrderProcessor.OrderTimeOut' && (e.detail as { orderId?: string }).orderId === orderId,
    30_000,
  );
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${consoleUrl(core.cloud.url)}#/states`);
  await page.getByRole('heading', { name: 'core' }).waitFor();
  await page.getByRole('link', { name: /OrderProcessor/ }).click();
  // The only execution: the customer's order, ended (the timeout is caught: the order is cancelled).
  await page.getByRole('cell', { name: 'SUCCEEDED' }).waitFor({ timeout: 30_000 });
  await page.locator('tbody a').first().click();
  await page.locator('g.node[data-state="Wait for the drink order"][data-status="timed-out"]').waitFor();
  await page.locator('g.node[data-state="Timed out"][data-status="succeeded"]').waitFor();
  const timedOut = page.locator('ol.history li[data-type="TaskTimedOut"]');
  await timedOut.locator('summary').click();
  expect(await timedOut.textContent()).toContain('States.Timeout');
  await shot(page, 'console-order-timed-out');
  await accessible(page, 'order timed out');
  await page.close();
}, 90_000);
