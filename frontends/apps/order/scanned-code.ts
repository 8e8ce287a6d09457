// What a scanned QR code says: the display's code is a URL of this order app with ?event=&code=
// (build/serve.ts, the display's `data-url`). Pure, so it is unit-tested; the camera is scanner.tsx's.

export type ScannedCode = { ok: true; eventId: string; code: string } | { ok: false; reason: string };

const NOT_OURS =
  "This QR code is not the coffee bar's. Point the camera at the QR code on the bar's screen, or type the code shown under it.";

/**
 * Reads a scanned text. `appUrl` is the order app's own URL (location.href): a code is taken only from
 * a URL of this app (same origin and path), never from another site's, so a look-alike code cannot
 * send the customer's sign-in elsewhere. A bare code (no URL) is taken with `eventId`, the current event.
 */
export function parseScannedCode(text: string, appUrl: string, eventId = ''): ScannedCode {
  const scanned = text.trim();
  if (!scanned) return { ok: false, reason: NOT_OURS };
  if (!/^[a-z][a-z0-9+.-]*:/i.test(scanned)) {
    // A bare code, as typed under the QR code: letters, digits, - and _ only.
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(scanned)) return { ok: false, reason: NOT_OURS };
    if (!eventId)
      return { ok: false, reason: "This code needs its coffee bar: scan the QR code on the bar's screen instead." };
    return { ok: true, eventId, code: scanned };
  }
  let url: URL;
  let app: URL;
  try {
    url = new URL(scanned);
    app = new URL(appUrl);
  } catch {
    return { ok: false, reason: NOT_OURS };
  }
  if (
    url.origin !== app.origin ||
    url.pathname.replace(/index\.html$/, '') !== app.pathname.replace(/index\.html$/, '')
  )
    return { ok: false, reason: NOT_OURS };
  const event = url.searchParams.get('event')?.trim();
  const code = url.searchParams.get('code')?.trim();
  if (!event || !code)
    return {
      ok: false,
      reason: "This QR code opens the order app but carries no order code. Scan the QR code on the bar's screen.",
    };
  return { ok: true, eventId: event, code };
}

/** A sentence for a camera that could not be opened (getUserMedia's DOMException names). */
export function cameraProblem(error: unknown): string {
  const name = (error as { name?: string } | undefined)?.name;
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return "The camera was not allowed, so the app cannot scan: allow the camera for this site in your browser's settings, or type the code shown under the QR code.";
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'This device has no camera the app can use: type the code shown under the QR code.';
    case 'NotReadableError':
      return 'Another app is using the camera: close it and try again, or type the code shown under the QR code.';
    default:
      return 'The camera could not be opened: type the code shown under the QR code.';
  }
}
