// `presso up core`, as `npm start` runs it: the web apps are built when missing or stale, served at
// <edge>/apps/<app>/ with a config.json from the core's outputs, their URLs printed, and the core's
// app client lets the user pool send a person back to each of them (CallbackURLs and LogoutURLs).
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startUp, type RunningUp } from './up.js';

const repo = new URL('../../../', import.meta.url).pathname;
let up: RunningUp;

beforeAll(async () => {
  up = await startUp(['core', '--port', '0'], { cwd: repo });
}, 240_000);

afterAll(async () => {
  await up?.stop();
});

it('prints the three apps and serves each with its page, script and config.json', async () => {
  for (const app of ['order', 'barista', 'display']) {
    const url = `${up.endpoint}/apps/${app}/`;
    expect(up.output()).toMatch(new RegExp(`^app ${app}\\s+${url.replace(/[.?]/g, '\\$&')}`, 'm'));
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<script type="module" src="app.js">');
    const script = await fetch(`${url}app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    const config = (await (await fetch(`${url}config.json`)).json()) as Record<string, string>;
    expect(config).toMatchObject({ redirectUri: url, logoutUri: url });
    expect(config.apiUrl).toMatch(new RegExp(`^${up.endpoint}/apis/`));
    expect(config.userPoolDomain).toMatch(new RegExp(`^${up.endpoint}/auth/`));
    expect(config.realtimeWsUrl).toMatch(/^ws:\/\/.+\/event\/realtime$/);
    // The user pool sends the browser back to the app: its URL is one of the app client's CallbackURLs.
    const authorize = await fetch(
      `${config.userPoolDomain}/oauth2/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: config.clientId!,
        redirect_uri: url,
        scope: 'openid email',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuWf1lq9Jx8',
        code_challenge_method: 'S256',
      })}`,
      { redirect: 'manual' },
    );
    expect([200, 302]).toContain(authorize.status);
    expect(authorize.headers.get('location') ?? '').not.toContain('error=');
  }
  // A path of no app, and a file an app does not have, say so.
  expect((await fetch(`${up.endpoint}/apps/kitchen/`)).status).toBe(404);
  expect((await fetch(`${up.endpoint}/apps/order/../../etc/passwd`)).status).not.toBe(200);
  expect((await fetch(`${up.endpoint}/apps/order/nothing.js`)).status).toBe(404);
}, 60_000);
