// The whole story in a real browser (playwright-core driving Chromium: PRESSO_CHROMIUM, default
// /usr/bin/chromium), the apps served from the local cloud's edge as `presso up` serves them: the
// display shows the QR code; a customer on a phone opens its URL, signs up on the hosted pages
// (confirmation code from the local cloud's output) and orders; a barista on a tablet (made a barista
// of NYC with AdminAddUserToGroup, and of LA by the core's staff route) picks NYC among the events she
// works, sees the order arrive live, makes and completes it; the display signs in with the display
// sign-in an admin of NYC issued in the barista app; the customer's page and the
// display show it ready without a reload, and the display shows WaitTimes' wait for the drink (the
// extension deployed beside the core, publishing to the board); an admin closes the shop from the barista
// app, the display says so and a scan gets the sentence. Screenshots: <tmp>/presso-apps-screenshots/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { AdminAddUserToGroupCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { AxeResults } from 'axe-core';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
  type WebSocketRoute,
} from 'playwright-core';
import { CORE_DIR } from '@serverlesspresso/core/harness';
import { startLocalCloud, type LocalCloud } from '@serverlesspresso/local';
import { until } from '@serverlesspresso/testing/until';
import { encode } from 'uqr';
import { ensureBuilt, type AppName } from '../../build/build.js';
import { appConfig, appUrls, coreOutputsOf, webAppsService } from '../../build/serve.js';

const WAIT_TIMES_DIR = new URL('../../../extensions/WaitTimes', import.meta.url).pathname;
const executablePath = process.env.PRESSO_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(tmpdir(), 'presso-apps-screenshots');
const SLOW = 60_000;

let cloud: LocalCloud;
let browser: Browser;
let urls: Record<AppName, string>;
let apiUrl: string;
const contexts: BrowserContext[] = [];
const logs: string[] = [];

// The phones' camera: Chromium's fake capture device plays this file (Y4M), written with the QR code to show.
const CAMERA = join(SCREENSHOTS, 'camera.y4m');

/** One grey-scale Y4M frame (4:2:0) of `text`'s QR code, black on white, as a camera pointed at the display sees it. */
function showToCamera(text: string): void {
  const { data, size } = encode(text, { border: 4 });
  const side = 480;
  const scale = Math.floor(side / size);
  const offset = Math.floor((side - size * scale) / 2);
  const luma = Buffer.alloc(side * side, 255);
  for (let y = 0; y < size * scale; y++)
    for (let x = 0; x < size * scale; x++)
      if (data[Math.floor(y / scale)]![Math.floor(x / scale)]) luma[(y + offset) * side + x + offset] = 0;
  const chroma = Buffer.alloc((side / 2) * (side / 2) * 2, 128);
  writeFileSync(
    CAMERA,
    Buffer.concat([Buffer.from(`YUV4MPEG2 W${side} H${side} F10:1 Ip A1:1 C420jpeg\nFRAME\n`), luma, chroma]),
  );
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core run in the page as it is now: no serious or critical violation (issue 13's bar). */
async function accessible(page: Page, screen: string): Promise<void> {
  await page.addScriptTag({ content: AXE });
  const { violations } = await page.evaluate(() =>
    (window as unknown as { axe: { run: (c: Document, o: object) => Promise<AxeResults> } }).axe.run(document, {
      resultTypes: ['violations'],
    }),
  );
  const bad = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${screen}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad).toEqual([]);
}

/**
 * The page at 200% zoom: the browser zoom halves the CSS viewport (what a 200% text zoom or pinch
 * does to the layout), so the viewport is halved. Nothing may scroll sideways and the screen's main
 * action must be on screen once scrolled to.
 */
async function usableZoomed(page: Page, screen: string, action?: Locator): Promise<void> {
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: Math.round(size.width / 2), height: Math.round(size.height / 2) });
  try {
    await shot(page, `${screen}-zoom-200`);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect({ screen, overflowPx: overflow }).toEqual({ screen, overflowPx: 0 });
    if (action) {
      await action.scrollIntoViewIfNeeded();
      const box = (await action.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(size.width / 2 + 1);
    }
  } finally {
    await page.setViewportSize(size);
  }
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  if (!existsSync(executablePath))
    throw new Error(
      `no Chromium at ${executablePath}: install it (apt-get install chromium) or set PRESSO_CHROMIUM to a Chromium or Chrome binary`,
    );
  mkdirSync(SCREENSHOTS, { recursive: true });
  await ensureBuilt();
  cloud = await startLocalCloud({ port: 0, log: (line) => void logs.push(line) });
  urls = appUrls(cloud.url);
  const list = Object.values(urls).join(',');
  const stack = await cloud.stacks.deploy({
    path: CORE_DIR,
    stackName: 'core',
    parameterOverrides: { CallbackURLs: list, LogoutURLs: list },
  });
  const core = coreOutputsOf({ ...stack.outputs, ...stack.localOutputs })!;
  apiUrl = core.ApiUrl;
  // WaitTimes beside it, connected to the board as `presso up` connects it: its waits reach the display.
  await cloud.stacks.deploy({
    path: WAIT_TIMES_DIR,
    stackName: 'wait-times',
    parameterOverrides: { RealtimeApiId: stack.outputs.RealtimeApiId! },
  });
  cloud.edge.addService(webAppsService({ config: (app) => appConfig(core, urls[app]) }));
  // Staff accounts as an operator makes them: confirmed users, put in their group with AdminAddUserToGroup.
  const pool = stack.outputs.UserPoolId!;
  const cognito = new CognitoIdentityProviderClient({
    endpoint: cloud.url,
    region: cloud.account.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  for (const [email, group] of [
    ['bea@example.com', 'NYC.barista'],
    ['ada@example.com', 'NYC.admin'],
  ] as const) {
    const { code } = await cloud.users.signUp(pool, email, 'Espresso!2026');
    cloud.users.confirm(pool, email, code);
    await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: pool, Username: email, GroupName: group }));
  }
  // An operator opens a second event and makes bea one of its baristas too (the group is made on demand).
  const operator = await customerApi('olga', ['admin']);
  expect((await operator('PATCH', '/events/LA/config', { storeOpen: true })).status).toBe(201);
  expect((await operator('PUT', '/events/LA/staff/bea@example.com', { role: 'barista' })).status).toBe(200);
  showToCamera('nothing yet');
  browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${CAMERA}`],
  });
}, 240_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await cloud?.close();
});

async function open(
  url: string,
  viewport: { width: number; height: number },
  phone = false,
  sockets?: WebSocketRoute[],
): Promise<Page> {
  const context = await browser.newContext({ viewport, isMobile: phone, hasTouch: phone });
  contexts.push(context);
  const page = await context.newPage();
  // The realtime connections pass through here, so a test can cut them as a lost network would.
  if (sockets)
    await page.routeWebSocket(/\/event\/realtime$/, (ws) => {
      ws.connectToServer();
      sockets.push(ws);
    });
  await page.goto(url);
  return page;
}

/** Signs in on the hosted sign-in page the app sent the browser to, and waits to be back in the app. */
async function signIn(page: Page, email: string, app: AppName, password = 'Espresso!2026'): Promise<void> {
  await page.waitForURL(/\/login\?/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.toString().startsWith(urls[app]) && !url.searchParams.has('code'));
}

/** On a failure: each page's screenshot and text, so the report says what a person would have seen. */
async function explain(error: unknown, pages: Record<string, Page>): Promise<never> {
  const seen: string[] = [];
  for (const [name, page] of Object.entries(pages)) {
    await shot(page, `failure-${name}`).catch(() => undefined);
    const text = await page
      .locator('body')
      .innerText({ timeout: 2000 })
      .catch(() => '(no text)');
    seen.push(`${name} at ${page.url()}:\n${text}`);
  }
  throw new Error(`${(error as Error).message}\n\nwhat the pages showed:\n${seen.join('\n\n')}`);
}

/** The core's API as another customer (a token of the local cloud, as `presso token` mints): a script's calls. */
async function customerApi(user: string, groups: string[] = []) {
  const minted = await fetch(`${cloud.url}/_presso/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, groups }),
  });
  const { token } = (await minted.json()) as { token: string };
  return async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
}

/** Another customer's order, queued before anyone else's; cancel() withdraws it. */
async function queuedElsewhere(code: string): Promise<{ cancel: () => Promise<void> }> {
  const zoe = await customerApi('zoe');
  const scanned = await zoe('POST', '/events/NYC/orders', { code });
  expect(scanned.status).toBe(201);
  const orderId = scanned.body.orderId as string;
  await until(
    'the other order stored',
    async () => (await zoe('GET', `/orders/${orderId}`)).status === 200 || undefined,
    {
      ms: SLOW,
    },
  );
  expect((await zoe('PUT', `/orders/${orderId}/drink`, { drink: 'Espresso' })).status).toBe(200);
  await until(
    'the other order queued',
    async () => (await zoe('GET', `/orders/${orderId}`)).body.ordersAhead === 0 || undefined,
    { ms: SLOW },
  );
  return {
    cancel: async () => expect((await zoe('POST', `/orders/${orderId}/cancel`)).status).toBe(200),
  };
}

const live = (page: Page) => page.locator('[data-status="live"][role="status"]').waitFor({ timeout: SLOW });

async function story(pages: Record<string, Page>): Promise<void> {
  // An admin of NYC at a tablet issues the TV's display sign-in.
  const admin = (pages.admin = await open(urls.barista, { width: 1024, height: 768 }));
  await signIn(admin, 'ada@example.com', 'barista');
  await live(admin);
  await admin.getByText('Display sign-in (admins)').click();
  await admin.getByRole('button', { name: 'Issue a display sign-in' }).click();
  const tvUser = (await admin.getByTestId('display-username').textContent({ timeout: SLOW }))!;
  const tvPassword = (await admin.getByTestId('display-password').textContent())!;
  expect(tvUser).toMatch(/^display-[0-9a-f]{8}@nyc\.display\.invalid$/);

  // The TV at the bar signs in once as the display of NYC.
  const displaySockets: WebSocketRoute[] = [];
  const display = (pages.display = await open(urls.display, { width: 1920, height: 1080 }, false, displaySockets));
  await signIn(display, tvUser, 'display', tvPassword);
  const qr = display.locator('.qr[data-url]');
  await qr.waitFor({ timeout: SLOW });
  const qrUrl = (await qr.getAttribute('data-url'))!;
  expect(qrUrl).toMatch(new RegExp(`^${urls.order.replace(/[.?]/g, '\\$&')}\\?event=NYC&code=`));
  await live(display);
  await shot(display, 'display-1-waiting');

  // The barista's tablet: she works NYC and LA, and picks NYC.
  const barista = (pages.barista = await open(urls.barista, { width: 1024, height: 768 }));
  await signIn(barista, 'bea@example.com', 'barista');
  await barista.getByRole('button', { name: 'Work event LA' }).waitFor({ timeout: SLOW });
  await shot(barista, 'barista-0-events');
  await accessible(barista, 'barista: the events');
  await barista.getByRole('button', { name: 'Work event NYC' }).click();
  await barista.getByText('No orders waiting').waitFor({ timeout: SLOW });
  await live(barista);
  await shot(barista, 'barista-1-empty');

  // Another customer is in the queue first.
  const other = await queuedElsewhere((await display.getByTestId('code').textContent())!);

  // The customer's phone opens the QR code's URL (as shown now: the code rotates every 5 minutes) and
  // creates an account on the hosted pages.
  const phone = (pages.phone = await open((await qr.getAttribute('data-url'))!, { width: 390, height: 844 }, true));
  await phone.waitForURL(/\/login\?/);
  await phone.getByRole('link', { name: 'New here? Create an account' }).click();
  await phone.getByLabel('Email').fill('ines@example.com');
  await phone.getByLabel('Password').fill('FlatWhite!2026');
  await phone.getByRole('button', { name: 'Create account' }).click();
  await phone.waitForURL(/\/confirmUser\?/);
  const code = await until('the printed confirmation code', () =>
    logs.map((l) => /confirmation code for ines@example\.com: (\d{6})/.exec(l)?.[1]).find(Boolean),
  );
  await phone.getByLabel('Confirmation code').fill(code);
  await phone.getByRole('button', { name: 'Confirm', exact: true }).click();
  await phone.waitForURL((url) => url.toString().startsWith(urls.order) && !url.searchParams.has('code'));
  // Scanned: the order waits for the drink.
  const heading = phone.locator('#order-status');
  await expect(heading.textContent({ timeout: SLOW })).resolves.toBe('Choose your drink');
  await live(phone);
  await shot(phone, 'order-1-menu');
  await accessible(phone, 'order: the menu');
  await usableZoomed(phone, 'order-1-menu', phone.getByRole('button', { name: /^(Order |Choose a drink)/ }));
  await phone.locator('.drink label').first().click();
  await phone.getByRole('button', { name: /^Order / }).click();
  await until('the order in the queue with its number', async () => (await heading.textContent()) === 'In the queue', {
    ms: SLOW,
  });
  const number = (await phone.getByTestId('order-number').textContent())!;
  expect(number).toMatch(/^\d+$/);
  // Its place in the queue: behind the other customer's order.
  await expect(phone.getByTestId('place').textContent({ timeout: SLOW })).resolves.toBe('1 order ahead of you');
  await shot(phone, 'order-2-queued');
  await accessible(phone, 'order: in the queue');
  await usableZoomed(phone, 'order-2-queued', phone.getByRole('button', { name: 'Cancel my order' }));
  // The other order goes: nothing on this customer's channel says so, the app reads its place again (every 15 s).
  await other.cancel();
  await until('the customer is next', async () => (await phone.getByTestId('place').textContent()) === "You're next", {
    ms: SLOW,
  });

  // The barista sees it arrive live, announced.
  await barista.locator('.announce').getByText(`New order ${number}`).waitFor({ timeout: SLOW });
  const ticket = barista.locator(`.ticket[data-order="${number}"]`);
  await shot(barista, 'barista-2-new-order');
  await accessible(barista, 'barista: the queue');
  await usableZoomed(barista, 'barista-2-new-order', barista.getByRole('button', { name: `Make order ${number}` }));
  await barista.getByRole('button', { name: `Make order ${number}` }).click();
  await barista.locator(`.ticket[data-order="${number}"][data-status="MAKING"]`).waitFor({ timeout: SLOW });
  await until(
    'the customer sees it being made',
    async () => (await heading.textContent()) === 'A barista is making your drink',
    {
      ms: SLOW,
    },
  );
  // The other barista sees the claim live.
  await admin
    .locator(`.ticket[data-order="${number}"][data-status="MAKING"]`)
    .getByText('another barista is making it')
    .waitFor({ timeout: SLOW });
  await shot(barista, 'barista-3-making');
  await shot(phone, 'order-3-making');
  await display.locator('[data-testid="queue"] .number', { hasText: number }).waitFor({ timeout: SLOW });
  await shot(display, 'display-2-queue');
  await accessible(display, 'display: the board');
  await usableZoomed(display, 'display-2-queue');
  // By keyboard, as at a busy bar: the action's button takes the focus and Enter does it.
  await barista.getByRole('button', { name: `Complete order ${number}` }).focus();
  await barista.keyboard.press('Enter');
  await ticket.waitFor({ state: 'detached', timeout: SLOW });

  // Ready, without a reload, on the phone and on the display.
  await until('the customer sees it ready', async () => (await heading.textContent()) === 'Ready for pickup', {
    ms: SLOW,
  });
  await display.locator('[data-testid="ready"] .number', { hasText: number }).waitFor({ timeout: SLOW });
  await shot(phone, 'order-4-ready');
  // WaitTimes timed the order: the display shows the drink's wait, from the board's channel.
  const drink = (await phone.locator('.drink-name').first().textContent())!.replace(/ \(.*$/, '');
  await display.locator('.waits li', { hasText: drink }).waitFor({ timeout: SLOW });
  await shot(display, 'display-3-ready');
  await shot(barista, 'barista-4-done');

  // A typed wrong code is refused with a sentence.
  await phone.getByLabel('Code on the screen').fill('WRONG');
  await phone.getByRole('button', { name: 'Start my order' }).click();
  await expect(phone.getByRole('alert').textContent({ timeout: SLOW })).resolves.toContain(
    'This QR code is not valid for this coffee bar',
  );
  await shot(phone, 'order-5-refused');

  // An admin closes the shop from the barista app: the display says so, and a scan gets the sentence.
  await admin.getByRole('button', { name: 'Close the shop' }).click();
  await admin.getByRole('button', { name: 'Yes, close the shop' }).click();
  await admin.getByText('The shop is closed: customers cannot order.').waitFor({ timeout: SLOW });
  await display.getByText('The shop is closed').waitFor({ timeout: SLOW });
  await shot(display, 'display-4-closed');
  const currentCode = (await display.getByTestId('code').textContent())!;
  await phone.getByLabel('Code on the screen').fill(currentCode);
  await phone.getByRole('button', { name: 'Start my order' }).click();
  await phone.getByText('The coffee bar is closed right now, so it is not taking orders.').waitFor({ timeout: SLOW });
  await shot(phone, 'order-6-closed');
  await admin.getByRole('button', { name: 'Open the shop' }).click();
  // Admins' settings: a drink marked unavailable leaves the customers' menu.
  await admin.getByText('Shop settings (admins)').click();
  await admin.getByRole('checkbox', { name: drink }).uncheck();
  await admin.getByText(`${drink} is unavailable.`).waitFor({ timeout: SLOW });
  await admin.getByLabel('Most orders in the queue').fill('5');
  await admin.getByRole('button', { name: 'Save capacity' }).click();
  await admin.getByText('Queue capacity is 5.').waitFor({ timeout: SLOW });
  // The customer orders again: the menu has the other drinks, not that one.
  await phone.getByLabel('Code on the screen').fill((await display.getByTestId('code').textContent())!);
  await phone.getByRole('button', { name: 'Start my order' }).click();
  await until(
    'the new order waiting for its drink',
    async () => (await heading.textContent()) === 'Choose your drink',
    {
      ms: SLOW,
    },
  );
  const drinks = await phone.locator('.drink label').allTextContents();
  expect(drinks.length).toBeGreaterThan(0);
  expect(drinks).not.toContain(drink);
  await shot(phone, 'order-7-menu-without-drink');
  await shot(admin, 'barista-6-settings');
  await display.getByText('The shop is closed').waitFor({ state: 'detached', timeout: SLOW });
  await shot(admin, 'barista-5-admin');

  // In-app scanning. The camera refused first: a sentence says why and the typed code stays.
  await phone.getByRole('button', { name: 'Cancel my order' }).click();
  await until('the order cancelled', async () => (await heading.textContent()) === 'Cancelled', { ms: SLOW });
  await phone.getByRole('button', { name: 'Scan the QR code' }).click();
  await expect(phone.getByTestId('scan-problem').textContent({ timeout: SLOW })).resolves.toContain(
    'The camera was not allowed, so the app cannot scan',
  );
  await shot(phone, 'order-8-camera-refused');
  // Allowed, the camera sees the display's QR code: the app scans it and the new order waits for its drink.
  await phone.context().grantPermissions(['camera'], { origin: new URL(urls.order).origin });
  showToCamera((await qr.getAttribute('data-url'))!);
  const cancelled = (await phone.locator('.orders li').count()) as number;
  // jsQR (this Chromium has no BarcodeDetector) is a chunk of its own, loaded only now.
  const chunks = () =>
    phone.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((e) => e.name)
        .filter((url) => /\/chunks\/jsQR-/.test(url)),
    );
  expect(await chunks()).toEqual([]);
  await phone.getByRole('button', { name: 'Scan the QR code' }).click();
  await until(
    'the scanned order waiting for its drink',
    async () =>
      (await heading.textContent().catch(() => '')) === 'Choose your drink' &&
      (await phone.locator('.orders li').count()) > cancelled,
    { ms: SLOW },
  );
  await shot(phone, 'order-9-scanned');
  expect(await chunks()).toHaveLength(1);

  // The display loses its connection: it says so (and polls meanwhile), then is live again by itself.
  for (const ws of displaySockets.splice(0)) await ws.close({ code: 1006 }).catch(() => ws.close());
  await display.locator('[data-status="polling"][role="status"]').waitFor({ timeout: SLOW });
  await shot(display, 'display-5-reconnecting');
  await live(display);
  expect(displaySockets.length).toBeGreaterThan(0);
}

it('a customer orders from the QR code, a barista makes it live, the customer and the display see it ready; an admin closes the shop', async () => {
  const pages: Record<string, Page> = {};
  await story(pages).catch((e: unknown) => explain(e, pages));
}, 300_000);
