// Signing in through a user pool domain as a browser does, over real HTTP: a cookie jar, redirects
// followed one by one, forms read from the page and posted back. With the PKCE helpers and the
// token endpoint call, a test goes from /oauth2/authorize to tokens the way an app does. Imports
// nothing of the local cloud, so the local cloud's own tests use it too.
import { createHash, randomBytes } from 'node:crypto';

export interface Page {
  url: string;
  status: number;
  text: string;
  /** Every URL the browser went through, the last one included. */
  visited: string[];
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

export function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

const decodeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** A browser without a screen: cookies per host and path, redirects followed, forms submitted. */
export class HttpBrowser {
  private readonly jar = new Map<string, { value: string; path: string }>();

  /** Opens a URL and follows redirects (at most 10). */
  async open(url: string, init: { method?: string; body?: URLSearchParams } = {}): Promise<Page> {
    const visited: string[] = [];
    let current = url;
    let method = init.method ?? 'GET';
    let body: URLSearchParams | undefined = init.body;
    for (let hop = 0; hop < 10; hop++) {
      visited.push(current);
      const response = await fetch(current, {
        method,
        redirect: 'manual',
        headers: {
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...(this.cookieHeader(current) ? { cookie: this.cookieHeader(current)! } : {}),
        },
        ...(body ? { body: body.toString() } : {}),
      });
      this.store(current, response.headers.getSetCookie());
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        current = new URL(location, current).toString();
        method = 'GET';
        body = undefined;
        continue;
      }
      return { url: current, status: response.status, text: await response.text(), visited };
    }
    throw new Error(`more than 10 redirects from ${url}`);
  }

  /**
   * Fills the page's form (the first one, or the one whose button says `button`) and submits it:
   * hidden inputs and pre-filled values are kept, `values` override them.
   */
  async submit(page: Page, values: Record<string, string>, button?: string): Promise<Page> {
    const forms = [...page.text.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
    const form = button ? forms.find((f) => f[2]!.includes(`>${button}</button>`)) : forms[0];
    if (!form) throw new Error(`no form${button ? ` with a "${button}" button` : ''} on ${page.url}:\n${page.text}`);
    const action = decodeHtml(/action="([^"]*)"/.exec(form[1]!)?.[1] ?? page.url);
    const data = new URLSearchParams();
    for (const input of form[2]!.matchAll(/<input\b([^>]*)>/g)) {
      const name = /name="([^"]*)"/.exec(input[1]!)?.[1];
      const value = /value="([^"]*)"/.exec(input[1]!)?.[1];
      if (name) data.set(name, decodeHtml(value ?? ''));
    }
    for (const [k, v] of Object.entries(values)) data.set(k, v);
    return this.open(new URL(action, page.url).toString(), { method: 'POST', body: data });
  }

  private cookieHeader(url: string): string | undefined {
    const { host, pathname } = new URL(url);
    const pairs = [...this.jar]
      .filter(([key, c]) => key.startsWith(`${host} `) && pathname.startsWith(c.path))
      .map(([key, c]) => `${key.slice(host.length + 1)}=${c.value}`);
    return pairs.length ? pairs.join('; ') : undefined;
  }

  private store(url: string, setCookies: string[]): void {
    const { host } = new URL(url);
    for (const header of setCookies) {
      const [pair, ...attributes] = header.split(';').map((s) => s.trim());
      const [name, ...rest] = pair!.split('=');
      const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired = attributes.some((a) => a.toLowerCase() === 'max-age=0');
      if (expired) this.jar.delete(`${host} ${name}`);
      else this.jar.set(`${host} ${name}`, { value: rest.join('='), path });
    }
  }
}

export interface TokenResponse {
  access_token?: string;
  id_token?: string;
  refresh_token?: string;
  expires_in?: number;
  token_type?: string;
  error?: string;
  error_description?: string;
}

/**
 * <domain>/oauth2/authorize for the code flow with PKCE (S256), as a browser app opens it: the URL of
 * the managed login that ends at redirectUri with ?code=.
 */
export function authorizeUrl(
  authUrl: string,
  options: { clientId: string; redirectUri: string; challenge: string; scope?: string; state?: string },
): string {
  return `${authUrl}/oauth2/authorize?${new URLSearchParams({
    response_type: 'code',
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    scope: options.scope ?? 'openid email',
    ...(options.state === undefined ? {} : { state: options.state }),
    code_challenge: options.challenge,
    code_challenge_method: 'S256',
  })}`;
}

/** POST <domain>/oauth2/token with a form, as an app calls it; the status and the JSON answer. */
export async function tokenRequest(
  authUrl: string,
  form: Record<string, string>,
): Promise<{ status: number; body: TokenResponse }> {
  const response = await fetch(`${authUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as TokenResponse };
}

/** The claims of a JWT (not verified: the local cloud's authorizers do that). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
