// base64url (RFC 4648 §5, no padding) and JWT payload decoding with the globals browsers and Node 24
// share (btoa/atob, TextEncoder/TextDecoder): PKCE, the AppSync header subprotocol and ID tokens use them.

/** base64url of bytes, without padding. */
export function base64UrlBytes(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url of a string's UTF-8 bytes, without padding. */
export const base64UrlText = (text: string): string => base64UrlBytes(new TextEncoder().encode(text));

/** The text of base64url (padded or not); throws on characters outside the alphabet. */
export function decodeBase64UrlText(encoded: string): string {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(encoded)) throw new Error('not base64url');
  const base64 = encoded.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/**
 * A JWT's claims, read without verifying it: the browser only reads its own tokens (expiry, who is
 * signed in); the API and AppSync verify them. Undefined when the text is not a JWT.
 */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const claims: unknown = JSON.parse(decodeBase64UrlText(parts[1]));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
