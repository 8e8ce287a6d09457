import { describe, expect, it } from '@jest/globals';
import { codeChallengeS256, createCodeVerifier } from '../../src/shared/pkce.js';

// RFC 7636, Appendix B: the 32 octets, their base64url verifier and its S256 challenge.
const OCTETS = [
  116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91,
  88, 5, 88, 83, 132, 141, 121,
];
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('PKCE', () => {
  it('makes the verifier of RFC 7636 Appendix B from its octets', () => {
    const rfcRandom = {
      getRandomValues: <T extends ArrayBufferView | null>(array: T): T => {
        (array as unknown as Uint8Array).set(OCTETS);
        return array;
      },
    };
    expect(createCodeVerifier(rfcRandom)).toBe(VERIFIER);
  });

  it('derives the S256 challenge of RFC 7636 Appendix B', async () => {
    expect(await codeChallengeS256(VERIFIER)).toBe(CHALLENGE);
  });

  it('makes a fresh 43-character verifier each time', () => {
    const a = createCodeVerifier();
    const b = createCodeVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it('refuses a verifier RFC 7636 does not allow, saying what one is', async () => {
    await expect(codeChallengeS256('short')).rejects.toThrow(/43 to 128 characters/);
    await expect(codeChallengeS256(`${VERIFIER}+`)).rejects.toThrow(/43 to 128 characters/);
  });
});
