// What the console's browser tests share: Chromium (playwright-core: PRESSO_CHROMIUM, default
// /usr/bin/chromium), the screenshots folder CI keeps, axe-core's check.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import type { AxeResults } from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SCREENSHOTS = join(tmpdir(), 'presso-console-screenshots');
const executablePath = process.env.PRESSO_CHROMIUM ?? '/usr/bin/chromium';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(executablePath))
    throw new Error(
      `no Chromium at ${executablePath}: install it (apt-get install chromium) or set PRESSO_CHROMIUM to a Chromium or Chrome binary`,
    );
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath, args: ['--no-sandbox'] });
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function accessible(page: Page, screen: string): Promise<void> {
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

export const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
