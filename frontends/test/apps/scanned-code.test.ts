// What the order app takes from a scanned QR code (apps/order/scanned-code.ts): the display's URL of
// this app with its event and code, a bare code with the current event, and nothing from elsewhere.
import { expect, it } from '@jest/globals';
import { cameraProblem, parseScannedCode } from '../../apps/order/scanned-code.js';

const APP = 'http://127.0.0.1:4566/apps/order/';
// As the display writes it (apps/display/main.tsx orderUrl): ../order/ beside the display, with the event and code.
const displayed = (event: string, code: string) =>
  new URL(`../order/?${new URLSearchParams({ event, code })}`, 'http://127.0.0.1:4566/apps/display/').href;

it("takes the event and the code from the display's URL of this app", () => {
  expect(parseScannedCode(displayed('NYC', 'Ab3-x_9'), APP)).toEqual({ ok: true, eventId: 'NYC', code: 'Ab3-x_9' });
  // The app may be open on another event, or with its own query: the scanned URL's event wins.
  expect(parseScannedCode(`  ${displayed('re:Invent', 'K7')}\n`, `${APP}?event=LDN`, 'LDN')).toEqual({
    ok: true,
    eventId: 're:Invent',
    code: 'K7',
  });
  expect(parseScannedCode(`${APP}index.html?event=NYC&code=Z`, APP)).toEqual({ ok: true, eventId: 'NYC', code: 'Z' });
});

it('takes a bare code with the current event, and asks for the QR code when there is none', () => {
  expect(parseScannedCode('AB12', APP, 'NYC')).toEqual({ ok: true, eventId: 'NYC', code: 'AB12' });
  expect(parseScannedCode('AB12', APP)).toMatchObject({ ok: false, reason: expect.stringContaining('coffee bar') });
});

it('refuses a code of another site, another path, or without its order code, with a sentence', () => {
  for (const text of [
    'https://evil.example/apps/order/?event=NYC&code=AB12',
    'http://127.0.0.1:9999/apps/order/?event=NYC&code=AB12',
    'http://127.0.0.1:4566/apps/barista/?event=NYC&code=AB12',
    'javascript:alert(1)',
    'not a code at all',
    '',
  ]) {
    const scanned = parseScannedCode(text, APP, 'NYC');
    expect({ text, ok: scanned.ok }).toEqual({ text, ok: false });
    expect(!scanned.ok && scanned.reason).toMatch(/^This .*\.$/);
  }
  expect(parseScannedCode(`${APP}?event=NYC`, APP)).toEqual({
    ok: false,
    reason: expect.stringContaining('carries no order code'),
  });
  expect(parseScannedCode(`${APP}?code=AB12`, APP)).toMatchObject({ ok: false });
});

it('explains a camera the browser would not open', () => {
  expect(cameraProblem(new DOMException('denied', 'NotAllowedError'))).toContain('The camera was not allowed');
  expect(cameraProblem(new DOMException('none', 'NotFoundError'))).toContain('no camera');
  expect(cameraProblem(new Error('?'))).toContain('type the code');
});
