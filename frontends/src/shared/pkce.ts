// PKCE (RFC 7636) for the authorization code flow: a random code verifier and its S256 challenge.
import { base64UrlBytes } from './encoding.js';

export type CryptoLike = Pick<Crypto, 'getRandomValues' | 'subtle'>;

/** A code verifier: 32 random octets, base64url (43 characters of the unreserved set, as RFC 7636 §4.1 recommends). */
export function createCodeVerifier(crypto: Pick<Crypto, 'getRandomValues'> = globalThis.crypto): string {
  return base64UrlBytes(crypto.getRandomValues(new Uint8Array(32)));
}

/** code_challenge = BASE64URL(SHA256(ASCII(code_verifier))), method S256 (RFC 7636 §4.2). */
export async function codeChallengeS256(
  verifier: string,
  subtle: SubtleCrypto = globalThis.crypto.subtle,
): Promise<string> {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier))
    throw new Error(
      'A PKCE code verifier is 43 to 128 characters of A-Z, a-z, 0-9, "-", ".", "_", "~" (RFC 7636 §4.1).',
    );
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64UrlBytes(new Uint8Array(digest));
}
