// How fast each app first shows something on the local cloud (issue 13: first render under 1 s): the
// apps served from the edge as `presso up` serves them, the core deployed, each app opened 10 times in
// a fresh Chromium context (nothing cached) at its viewport, without a session (what a person meets
// first: the app's own first screen, or the hosted sign-in it sends the browser to). Figure: the time from
// navigation until that first screen, p50 and max.
// Run: npm run bench -w @serverlesspresso/frontends (needs Chromium: PRESSO_CHROMIUM, default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import { CORE_DIR } from '@serverlesspresso/core/harness';
import { startLocalCloud } from '@serverlesspresso/local';
import { ensureBuilt, type AppName } from '../build/build.js';
import { appConfig, appUrls, coreOutputsOf, webAppsService } from '../build/serve.js';

const RUNS = 10;
const VIEWPORTS: Record<AppName, { width: number; height: number }> = {
  order: { width: 390, height: 844 },
  barista: { width: 1024, height: 768 },
  display: { width: 1920, height: 1080 },
};

await ensureBuilt();
const cloud = await startLocalCloud({ port: 0, log: () => {} });
const browser = await chromium.launch({ executablePath: process.env.PRESSO_CHROMIUM ?? '/usr/bin/chromium' });
try {
  const urls = appUrls(cloud.url);
  const list = Object.values(urls).join(',');
  const stack = await cloud.stacks.deploy({
    path: CORE_DIR,
    stackName: 'core',
    parameterOverrides: { CallbackURLs: list, LogoutURLs: list },
  });
  const core = coreOutputsOf({ ...stack.outputs, ...stack.localOutputs })!;
  cloud.edge.addService(webAppsService({ config: (app) => appConfig(core, urls[app]) }));
  const ms = (n: number) => `${Math.round(n)} ms`.padStart(7);
  console.log(`first render on the local cloud, ${RUNS} fresh loads per app (target: under 1 s)`);
  for (const app of Object.keys(VIEWPORTS) as AppName[]) {
    const contents: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: VIEWPORTS[app] });
      const page = await context.newPage();
      const started = Date.now();
      await page.goto(urls[app]);
      // The first screen a person sees: the app's own (its "Loading…" placeholder in <main id="app">
      // replaced), or, with no session, the hosted sign-in form the app sent the browser to.
      for (;;) {
        const shown = await page
          .evaluate(() => {
            if (location.pathname.endsWith('/login')) return document.querySelector('form') !== null;
            const root = document.querySelector('#app');
            return root !== null && root.querySelector('.loading') === null && root.textContent!.trim() !== '';
          })
          .catch(() => false); // a navigation in between
        if (shown) break;
        if (Date.now() - started > 30_000) throw new Error(`${app}: nothing shown after 30 s at ${page.url()}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      contents.push(Date.now() - started);
      await context.close();
    }
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const p50 = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
    const max = (xs: number[]) => sorted(xs).at(-1)!;
    console.log(`${app.padEnd(8)} first screen p50 ${ms(p50(contents))} max ${ms(max(contents))}`);
  }
} finally {
  await browser.close();
  await cloud.close();
}
