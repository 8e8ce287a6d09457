// A user pool domain's token endpoints as Cognito documents them, on a real HTTP server for the tests
// of sign-in: /oauth2/token (authorization_code with PKCE S256, refresh_token), /oauth2/revoke. Codes
// are made by the test, as if the person had signed in on /oauth2/authorize. Tokens are JWT-shaped
// with Cognito's claims (unsigned: the browser module reads them, it never verifies them).
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Person {
  sub: string;
  email: string;
  groups: string[];
}

const b64url = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: Record<string, unknown>): string =>
  `${b64url({ alg: 'RS256', kid: 'test' })}.${b64url(claims)}.c2ln`;

async function formOf(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export class UserPoolDomain {
  readonly requests: { path: string; form: Record<string, string> }[] = [];
  /** The next token requests fail this way (then it answers normally again). */
  failNext: ('network' | 'invalid_grant' | 500)[] = [];
  private codes = new Map<string, { challenge: string; redirectUri: string; person: Person }>();
  private refreshTokens = new Map<string, Person>();
  private server!: Server;
  private issued = 0;

  constructor(
    readonly clientId: string,
    private readonly now: () => number,
    private readonly lifetimeSeconds = 3600,
  ) {}

  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      void this.serve(request).then(({ status, body }) => {
        if (status === 0) {
          request.socket.destroy();
          return;
        }
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** What /oauth2/authorize would give after the person signed in: a code bound to the challenge. */
  codeFor(authorizeUrl: string, person: Person): { code: string; state: string; redirectUri: string } {
    const params = new URL(authorizeUrl).searchParams;
    const code = `code-${++this.issued}`;
    this.codes.set(code, {
      challenge: params.get('code_challenge')!,
      redirectUri: params.get('redirect_uri')!,
      person,
    });
    return { code, state: params.get('state')!, redirectUri: params.get('redirect_uri')! };
  }

  private tokens(person: Person, withRefresh: boolean): Record<string, unknown> {
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + this.lifetimeSeconds;
    const common = {
      sub: person.sub,
      'cognito:groups': person.groups,
      iat,
      exp,
      auth_time: iat,
      jti: `j${++this.issued}`,
    };
    const body: Record<string, unknown> = {
      id_token: jwt({
        ...common,
        email: person.email,
        aud: this.clientId,
        token_use: 'id',
        'cognito:username': person.sub,
      }),
      access_token: jwt({ ...common, client_id: this.clientId, token_use: 'access', scope: 'openid email' }),
      token_type: 'Bearer',
      expires_in: this.lifetimeSeconds,
    };
    if (withRefresh) {
      const refresh = `refresh-${++this.issued}`;
      this.refreshTokens.set(refresh, person);
      body.refresh_token = refresh;
    }
    return body;
  }

  private async serve(request: IncomingMessage): Promise<{ status: number; body?: unknown }> {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const form = Object.fromEntries(await formOf(request));
    this.requests.push({ path, form });
    if (path === '/oauth2/revoke') {
      this.refreshTokens.delete(form.token ?? '');
      return { status: 200, body: {} };
    }
    if (path !== '/oauth2/token') return { status: 404, body: { error: 'not_found' } };
    const failure = this.failNext.shift();
    if (failure === 'network') return { status: 0 };
    if (failure === 500) return { status: 500, body: { error: 'server_error' } };
    if (failure === 'invalid_grant') return { status: 400, body: { error: 'invalid_grant' } };
    if (form.client_id !== this.clientId) return { status: 400, body: { error: 'invalid_client' } };
    if (form.grant_type === 'authorization_code') {
      const code = this.codes.get(form.code ?? '');
      this.codes.delete(form.code ?? '');
      if (!code || code.redirectUri !== form.redirect_uri) return { status: 400, body: { error: 'invalid_grant' } };
      const challenge = createHash('sha256')
        .update(form.code_verifier ?? '')
        .digest('base64url');
      if (challenge !== code.challenge) return { status: 400, body: { error: 'invalid_grant' } };
      return { status: 200, body: this.tokens(code.person, true) };
    }
    if (form.grant_type === 'refresh_token') {
      const person = this.refreshTokens.get(form.refresh_token ?? '');
      if (!person) return { status: 400, body: { error: 'invalid_grant' } };
      // Cognito answers a refresh with new ID and access tokens, not a new refresh token.
      return { status: 200, body: this.tokens(person, false) };
    }
    return { status: 400, body: { error: 'unsupported_grant_type' } };
  }
}
