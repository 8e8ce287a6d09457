// A user pool domain on the edge: `https://<prefix>.auth.<region>.amazoncognito.com/<path>` answers
// at `<edge>/auth/<prefix>/<path>`. The OAuth 2.0 endpoints (/oauth2/authorize, /oauth2/token,
// /oauth2/userInfo, /oauth2/revoke, /logout) as Cognito documents them, and managed login's pages
// (/login, /signup, /confirmUser, /error) as plain forms. The confirmation code Cognito would email
// is printed in the local cloud's log and kept at GET /_presso/cognito/messages (messages.ts). This file is the HTTP adapter; oauth.ts and users.ts decide.
import type { ServerResponse } from 'node:http';
import type { EdgeRequest, PathService } from '../../edge/types.js';
import type { UserPool } from '../apis/user-pools.js';
import { AuthorizeError, OAuthError, type AuthorizeRequest, type OAuthServer } from './oauth.js';
import type { CognitoMessages } from './messages.js';
import { errorPage, formPage, type Field } from './pages.js';
import { UserError, type PoolUser, type UserDirectory } from './users.js';

const DOMAIN_PATH = /^\/auth\/([^/]+)(\/.*)?$/;
const SESSION_COOKIE = 'cognito';
/** The endpoints a browser app calls with fetch from its own origin. */
const CORS_PATHS = new Set(['/oauth2/token', '/oauth2/userInfo', '/oauth2/revoke']);

/** `https://<prefix>.auth.<region>.amazoncognito.com`: what a local URL replaces with `<edge>/auth/<prefix>`. */
export function awsDomainUrl(domain: string, region: string): string {
  return domain.includes('.') ? `https://${domain}` : `https://${domain}.auth.${region}.amazoncognito.com`;
}

/** Every user pool domain URL in `text` pointed at the edge (for a stack's local outputs). */
export function localDomainUrls(text: string, edgeUrl: string, domains: string[]): string {
  let out = text;
  for (const domain of domains) {
    const pattern = domain.includes('.')
      ? new RegExp(`https://${domain.replace(/\./g, '\\.')}`, 'g')
      : new RegExp(`https://${domain}\\.auth\\.[a-z0-9-]+\\.amazoncognito\\.com`, 'g');
    out = out.replace(pattern, `${edgeUrl}/auth/${domain}`);
  }
  return out;
}

function cookies(request: EdgeRequest): Record<string, string> {
  const header = request.headers.cookie ?? '';
  return Object.fromEntries(
    header
      .split(';')
      .map((c) => c.trim().split('='))
      .filter((kv) => kv.length >= 2)
      .map(([k, ...v]) => [k!, decodeURIComponent(v.join('='))]),
  );
}

function basicAuth(request: EdgeRequest): { id: string; secret: string } | undefined {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

function html(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(body);
}

function redirect(response: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  // 302 for redirects to the app, as Cognito answers; 303 after a form post is the same to browsers.
  response.writeHead(302, { location, 'cache-control': 'no-store', ...headers });
  response.end();
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json;charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

export interface DomainServiceOptions {
  oauth: OAuthServer;
  users: UserDirectory;
  log: (line: string) => void;
  /** Where codes are "sent": the log and GET /_presso/cognito/messages. */
  messages?: CognitoMessages;
}

export class UserPoolDomainService implements PathService {
  readonly name = 'cognito-domain';

  constructor(private readonly options: DomainServiceOptions) {}

  accepts(request: EdgeRequest): boolean {
    return DOMAIN_PATH.test(request.path);
  }

  async serve(request: EdgeRequest, response: ServerResponse): Promise<void> {
    const [, domain, rest] = DOMAIN_PATH.exec(request.path)!;
    const pool = this.options.oauth.poolOfDomain(domain!);
    if (!pool) return html(response, 404, errorPage('Not found', `No user pool has the domain ${domain}.`));
    const base = `/auth/${domain}`;
    const path = rest ?? '/';
    const origin = typeof request.headers.origin === 'string' ? request.headers.origin : undefined;
    const cors: Record<string, string> =
      origin && CORS_PATHS.has(path) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
    if (request.method === 'OPTIONS' && CORS_PATHS.has(path)) {
      response.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': 'authorization, content-type',
        'access-control-max-age': '600',
      });
      return void response.end();
    }
    try {
      switch (path) {
        case '/oauth2/authorize':
          return await this.authorize(pool, base, request, response);
        case '/login':
          return await this.login(pool, base, request, response);
        case '/signup':
          return await this.signup(pool, base, request, response);
        case '/confirmUser':
          return await this.confirm(pool, base, request, response);
        case '/forgotPassword':
          return this.forgotPassword(pool, base, request, response);
        case '/confirmForgotPassword':
          return await this.confirmForgotPassword(pool, base, request, response);
        case '/oauth2/token':
          return await this.token(pool, request, response, cors);
        case '/oauth2/userInfo':
          return await this.userInfo(pool, request, response, cors);
        case '/oauth2/revoke':
          return await this.revoke(pool, request, response, cors);
        case '/logout':
          return await this.logout(pool, base, request, response);
        case '/error':
          return html(
            response,
            400,
            errorPage(request.query.get('error') ?? 'error', request.query.get('error_description') ?? ''),
          );
        default:
          return html(response, 404, errorPage('Not found', `The user pool domain has no page ${path}.`));
      }
    } catch (e) {
      if (e instanceof AuthorizeError) return this.authorizeError(e, base, request, response);
      throw e;
    }
  }

  /** Checks the request, then signs in silently with a session cookie, or sends the browser to /login. */
  private authorize(pool: UserPool, base: string, request: EdgeRequest, response: ServerResponse): void {
    if (request.method !== 'GET') return html(response, 405, errorPage('invalid_request', 'Use GET.'));
    const checked = this.options.oauth.checkAuthorize(pool, request.query);
    const session = this.options.oauth.session(pool, cookies(request)[SESSION_COOKIE]);
    if (session) return redirect(response, this.options.oauth.issueCode(pool, checked, session.user, session.authTime));
    redirect(response, `${base}/login?${request.query.toString()}`);
  }

  /**
   * An authorize error goes to the app with error and state once its client and redirect URI are
   * trusted; otherwise to the domain's error page (Cognito's /error?error=redirect_mismatch).
   */
  private authorizeError(e: AuthorizeError, base: string, request: EdgeRequest, response: ServerResponse): void {
    if (e.redirect) {
      const url = new URL(e.redirect.uri);
      url.searchParams.set('error', e.error);
      url.searchParams.set('error_description', e.description);
      if (e.redirect.state !== undefined) url.searchParams.set('state', e.redirect.state);
      return redirect(response, url.toString());
    }
    const params = new URLSearchParams({ error: e.error, error_description: e.description });
    const clientId = request.query.get('client_id');
    if (clientId) params.set('client_id', clientId);
    redirect(response, `${base}/error?${params.toString()}`);
  }

  private async login(pool: UserPool, base: string, request: EdgeRequest, response: ServerResponse): Promise<void> {
    const checked = this.options.oauth.checkAuthorize(pool, request.query);
    const params = new URLSearchParams(request.query);
    const reset = params.get('reset') === '1';
    const known = params.get('username') ?? undefined;
    params.delete('reset');
    params.delete('username');
    const query = params.toString();
    const links = [
      { href: `${base}/forgotPassword?${query}`, text: 'Forgot your password?' },
      { href: `${base}/signup?${query}`, text: 'New here? Create an account' },
      { href: `${base}/confirmUser?${query}`, text: 'Have a confirmation code? Confirm your account' },
    ];
    const show = (status: number, values: { email?: string }, errors: Partial<Record<Field['name'], string>> = {}) =>
      html(
        response,
        status,
        formPage({
          title: 'Sign in',
          ...(reset && status === 200 ? { notice: 'Your password is changed: sign in with it.' } : {}),
          action: `${base}/login?${query}`,
          fields: [
            emailField(values.email, errors.email),
            {
              name: 'password',
              label: 'Password',
              type: 'password',
              autocomplete: 'current-password',
              ...(errors.password ? { error: errors.password } : {}),
            },
          ],
          submit: 'Sign in',
          links,
        }),
      );
    if (request.method === 'GET') return show(200, known ? { email: known } : {});
    const form = new URLSearchParams(request.body.toString('utf8'));
    const challenge = form.get('session');
    if (challenge)
      return await this.newPassword(pool, base, checked, request.query.toString(), challenge, form, response, () =>
        show(400, {}, { email: 'Your sign-in took too long: sign in again.' }),
      );
    const email = form.get('email') ?? '';
    try {
      const user = await this.options.users.authenticate(pool.id, email, form.get('password') ?? '');
      // AdminCreateUser's users sign in with a temporary password once, then choose their own.
      if (user.status === 'FORCE_CHANGE_PASSWORD')
        return this.newPasswordPage(
          pool,
          base,
          request.query.toString(),
          this.options.oauth.startNewPasswordChallenge(pool, user),
          response,
          200,
        );
      this.signedIn(pool, base, checked, user, response);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      if (e.code === 'UserNotConfirmedException') {
        // As managed login does: a new code is sent and the confirmation page shown.
        const { user, code } = this.options.users.resendCode(pool.id, email);
        this.printCode(pool, user, code);
        return redirect(response, `${base}/confirmUser?${withUsername(request.query, user.email)}&resent=1`);
      }
      show(400, { email }, { [e.field ?? 'email']: e.help ?? e.message });
    }
  }

  /** Forgot password: the email, then (whether or not it has an account) the page for the code. */
  private forgotPassword(pool: UserPool, base: string, request: EdgeRequest, response: ServerResponse): void {
    this.options.oauth.checkAuthorize(pool, request.query);
    const query = request.query.toString();
    const show = (status: number, email?: string, error?: string) =>
      html(
        response,
        status,
        formPage({
          title: 'Reset your password',
          intro: 'Enter the email you signed up with. We will send you a code to choose a new password.',
          action: `${base}/forgotPassword?${query}`,
          fields: [emailField(email, error)],
          submit: 'Send a reset code',
          links: [{ href: `${base}/login?${query}`, text: 'Back to sign in' }],
        }),
      );
    if (request.method === 'GET') return show(200);
    const email = new URLSearchParams(request.body.toString('utf8')).get('email') ?? '';
    try {
      const sent = this.options.users.forgotPassword(pool.id, email);
      if (sent && this.options.messages)
        this.options.messages.send({ userPoolId: pool.id, email: sent.user.email, kind: 'reset', code: sent.code });
      else if (sent) this.options.log(`[cognito] ${pool.id}: password reset code for ${sent.user.email}: ${sent.code}`);
      redirect(response, `${base}/confirmForgotPassword?${withUsername(request.query, email.trim().toLowerCase())}`);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      show(400, email, e.help ?? e.message);
    }
  }

  private async confirmForgotPassword(
    pool: UserPool,
    base: string,
    request: EdgeRequest,
    response: ServerResponse,
  ): Promise<void> {
    this.options.oauth.checkAuthorize(pool, request.query);
    const params = new URLSearchParams(request.query);
    const username = params.get('username') ?? '';
    params.delete('username');
    const query = params.toString();
    const show = (status: number, email: string, errors: Partial<Record<Field['name'], string>> = {}) =>
      html(
        response,
        status,
        formPage({
          title: 'Choose a new password',
          intro:
            'Enter the code we sent to your email and a new password. (On the local cloud, the code is printed in its output.)',
          ...(status === 200 && email ? { notice: `If ${email} has an account, we sent a code to it.` } : {}),
          action: `${base}/confirmForgotPassword?${request.query.toString()}`,
          fields: [
            emailField(email, errors.email),
            {
              name: 'code',
              label: 'Reset code',
              type: 'text',
              autocomplete: 'one-time-code',
              hint: '6 digits, from the latest email',
              inputmode: 'numeric',
              pattern: '[0-9]{6}',
              maxlength: 6,
              ...(errors.code ? { error: errors.code } : {}),
            },
            {
              name: 'password',
              label: 'New password',
              type: 'password',
              autocomplete: 'new-password',
              hint: `Use ${policyNeeds(pool).join(', ')}.`,
              ...(errors.password ? { error: errors.password } : {}),
            },
          ],
          submit: 'Change password',
          links: [
            { href: `${base}/forgotPassword?${query}`, text: 'Ask for a new code' },
            { href: `${base}/login?${query}`, text: 'Back to sign in' },
          ],
        }),
      );
    if (request.method === 'GET') return show(200, username);
    const form = new URLSearchParams(request.body.toString('utf8'));
    const email = form.get('email') ?? username;
    try {
      await this.options.users.confirmForgotPassword(
        pool.id,
        email,
        form.get('code') ?? '',
        form.get('password') ?? '',
        pool.passwordPolicy,
      );
      redirect(response, `${base}/login?${query}&reset=1&username=${encodeURIComponent(email.trim().toLowerCase())}`);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      show(400, email, { [e.field ?? 'code']: e.help ?? e.message });
    }
  }

  /** The NEW_PASSWORD_REQUIRED challenge as a page: the temporary password is replaced, then the app gets its code. */
  private newPasswordPage(
    pool: UserPool,
    base: string,
    query: string,
    session: string,
    response: ServerResponse,
    status: number,
    error?: string,
  ): void {
    html(
      response,
      status,
      formPage({
        title: 'Choose a new password',
        intro: 'You signed in with a temporary password. Choose your own to continue.',
        action: `${base}/login?${query}`,
        hidden: { session },
        fields: [
          {
            name: 'password',
            label: 'New password',
            type: 'password',
            autocomplete: 'new-password',
            hint: `Use ${policyNeeds(pool).join(', ')}.`,
            ...(error ? { error } : {}),
          },
        ],
        submit: 'Set password and continue',
      }),
    );
  }

  private async newPassword(
    pool: UserPool,
    base: string,
    checked: AuthorizeRequest,
    query: string,
    session: string,
    form: URLSearchParams,
    response: ServerResponse,
    expired: () => void,
  ): Promise<void> {
    const username = this.options.oauth.challengeUser(pool, session);
    if (!username) return expired();
    try {
      const user = await this.options.users.setPassword(
        pool.id,
        username,
        form.get('password') ?? '',
        pool.passwordPolicy,
        true,
      );
      this.options.oauth.endChallenge(session);
      this.signedIn(pool, base, checked, user, response);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      this.newPasswordPage(pool, base, query, session, response, 400, e.help ?? e.message);
    }
  }

  private async signup(pool: UserPool, base: string, request: EdgeRequest, response: ServerResponse): Promise<void> {
    this.options.oauth.checkAuthorize(pool, request.query);
    const query = request.query.toString();
    const needs = policyNeeds(pool);
    const show = (status: number, values: { email?: string }, errors: Partial<Record<Field['name'], string>> = {}) =>
      html(
        response,
        status,
        formPage({
          title: 'Create an account',
          intro: 'We will send a 6-digit code to your email to confirm it is yours.',
          action: `${base}/signup?${query}`,
          fields: [
            emailField(values.email, errors.email),
            {
              name: 'password',
              label: 'Password',
              type: 'password',
              autocomplete: 'new-password',
              hint: `Use ${needs.join(', ')}.`,
              ...(errors.password ? { error: errors.password } : {}),
            },
          ],
          submit: 'Create account',
          links: [{ href: `${base}/login?${query}`, text: 'Already have an account? Sign in' }],
        }),
      );
    if (request.method === 'GET') return show(200, {});
    const form = new URLSearchParams(request.body.toString('utf8'));
    const email = form.get('email') ?? '';
    try {
      const { user, code } = await this.options.users.signUp(
        pool.id,
        email,
        form.get('password') ?? '',
        pool.passwordPolicy,
      );
      this.printCode(pool, user, code);
      redirect(response, `${base}/confirmUser?${withUsername(request.query, user.email)}`);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      show(400, { email }, { [e.field ?? 'email']: e.help ?? e.message });
    }
  }

  private async confirm(pool: UserPool, base: string, request: EdgeRequest, response: ServerResponse): Promise<void> {
    const checked = this.options.oauth.checkAuthorize(pool, request.query);
    const query = new URLSearchParams(request.query);
    const resent = query.get('resent') === '1';
    // The page's own markers stay out of the links and forms it renders.
    query.delete('resent');
    query.delete('resend');
    const action = `${base}/confirmUser?${query.toString()}`;
    const show = (
      status: number,
      values: { email?: string },
      errors: Partial<Record<Field['name'], string>> = {},
      notice?: string,
    ) =>
      html(
        response,
        status,
        formPage({
          title: 'Confirm your account',
          intro:
            'Enter the code we sent to your email to finish creating your account. (On the local cloud, the code is printed in its output.)',
          ...(notice ? { notice } : {}),
          action,
          fields: [
            emailField(values.email, errors.email),
            {
              name: 'code',
              label: 'Confirmation code',
              type: 'text',
              autocomplete: 'one-time-code',
              hint: '6 digits, from the latest email',
              inputmode: 'numeric',
              pattern: '[0-9]{6}',
              maxlength: 6,
              ...(errors.code ? { error: errors.code } : {}),
            },
          ],
          submit: 'Confirm',
          extraForms: [
            {
              action: `${action}${action.includes('?') ? '&' : '?'}resend=1`,
              submit: 'Send a new code',
              hidden: { email: values.email ?? '' },
            },
          ],
          links: [{ href: `${base}/login?${query.toString()}`, text: 'Back to sign in' }],
        }),
      );
    const username = query.get('username') ?? '';
    if (request.method === 'GET')
      return show(
        200,
        { email: username },
        {},
        resent
          ? `Your account is not confirmed yet: we sent a new code to ${username}.`
          : username
            ? `We sent a 6-digit code to ${username}.`
            : undefined,
      );
    const form = new URLSearchParams(request.body.toString('utf8'));
    const email = form.get('email') ?? username;
    try {
      if (request.query.get('resend') === '1') {
        const { user, code } = this.options.users.resendCode(pool.id, email);
        this.printCode(pool, user, code);
        return show(200, { email }, {}, `We sent a new code to ${email.trim().toLowerCase()}.`);
      }
      const user = this.options.users.confirm(pool.id, email, form.get('code') ?? '');
      this.options.log(`[cognito] ${pool.id}: ${user.email} confirmed`);
      this.signedIn(pool, base, checked, user, response);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      // An unknown email on this page is about the email field, whatever the exception says.
      const field = e.code === 'UserNotFoundException' ? 'email' : (e.field ?? 'code');
      const message =
        e.code === 'UserNotFoundException'
          ? 'No account with this email is waiting for a code.'
          : (e.help ?? e.message);
      show(400, { email }, { [field]: message });
    }
  }

  private signedIn(
    pool: UserPool,
    base: string,
    checked: AuthorizeRequest,
    user: PoolUser,
    response: ServerResponse,
  ): void {
    const session = this.options.oauth.startSession(pool, user);
    const cookie = `${SESSION_COOKIE}=${session.id}; Path=${base}; Max-Age=${session.maxAgeSeconds}; HttpOnly; SameSite=Lax`;
    redirect(response, this.options.oauth.issueCode(pool, checked, user, session.authTime), { 'set-cookie': cookie });
  }

  private async token(
    pool: UserPool,
    request: EdgeRequest,
    response: ServerResponse,
    cors: Record<string, string>,
  ): Promise<void> {
    if (request.method !== 'POST')
      return json(response, 405, { error: 'invalid_request', error_description: 'Use POST.' }, cors);
    const type = String(request.headers['content-type'] ?? '');
    if (!type.startsWith('application/x-www-form-urlencoded'))
      return json(
        response,
        400,
        { error: 'invalid_request', error_description: 'Content-Type must be application/x-www-form-urlencoded' },
        cors,
      );
    try {
      const tokens = await this.options.oauth.token(
        pool,
        new URLSearchParams(request.body.toString('utf8')),
        basicAuth(request),
      );
      json(response, 200, tokens, cors);
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e;
      json(response, 400, { error: e.error, error_description: e.description }, cors);
    }
  }

  private async userInfo(
    pool: UserPool,
    request: EdgeRequest,
    response: ServerResponse,
    cors: Record<string, string>,
  ): Promise<void> {
    const header = request.headers.authorization ?? '';
    const bearer = header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    try {
      json(response, 200, await this.options.oauth.userInfo(pool, bearer), cors);
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e;
      const status = e.error === 'insufficient_scope' ? 403 : e.error === 'invalid_request' ? 400 : 401;
      json(
        response,
        status,
        { error: e.error, error_description: e.description },
        {
          ...cors,
          'www-authenticate': `Bearer error="${e.error}", error_description="${e.description.replace(/"/g, "'")}"`,
        },
      );
    }
  }

  private revoke(pool: UserPool, request: EdgeRequest, response: ServerResponse, cors: Record<string, string>): void {
    if (request.method !== 'POST')
      return json(response, 405, { error: 'invalid_request', error_description: 'Use POST.' }, cors);
    try {
      this.options.oauth.revoke(pool, new URLSearchParams(request.body.toString('utf8')), basicAuth(request));
      json(response, 200, {}, cors);
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e;
      json(response, 400, { error: e.error, error_description: e.description }, cors);
    }
  }

  private logout(pool: UserPool, base: string, request: EdgeRequest, response: ServerResponse): void {
    const expired = `${SESSION_COOKIE}=; Path=${base}; Max-Age=0; HttpOnly; SameSite=Lax`;
    // The other form Cognito takes: sign out, then straight to the sign-in page for another user.
    if (!request.query.has('logout_uri') && request.query.has('redirect_uri')) {
      this.options.oauth.checkAuthorize(pool, request.query);
      this.options.oauth.endSession(cookies(request)[SESSION_COOKIE]);
      return redirect(response, `${base}/login?${request.query.toString()}`, { 'set-cookie': expired });
    }
    try {
      const to = this.options.oauth.logout(pool, request.query, cookies(request)[SESSION_COOKIE]);
      redirect(response, to, { 'set-cookie': expired });
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e;
      const params = new URLSearchParams({ error: e.error, error_description: e.description });
      redirect(response, `${base}/error?${params.toString()}`);
    }
  }

  private printCode(pool: UserPool, user: PoolUser, code: string): void {
    // The stand-in for Cognito's email: whoever signs up reads the code in the local cloud's output
    // and at GET /_presso/cognito/messages.
    if (this.options.messages)
      this.options.messages.send({ userPoolId: pool.id, email: user.email, kind: 'confirmation', code });
    else this.options.log(`[cognito] ${pool.id}: confirmation code for ${user.email}: ${code}`);
  }
}

/** What the pool's password policy asks for, in words. */
function policyNeeds(pool: UserPool): string[] {
  const p = pool.passwordPolicy;
  return [
    `at least ${p.minimumLength} characters`,
    ...(p.requireUppercase ? ['an uppercase letter'] : []),
    ...(p.requireLowercase ? ['a lowercase letter'] : []),
    ...(p.requireNumbers ? ['a number'] : []),
    ...(p.requireSymbols ? ['a symbol'] : []),
  ];
}

function emailField(value: string | undefined, error: string | undefined): Field {
  return {
    name: 'email',
    label: 'Email',
    type: 'email',
    autocomplete: 'email',
    ...(value !== undefined && value !== '' ? { value } : {}),
    ...(error ? { error } : {}),
  };
}

function withUsername(query: URLSearchParams, email: string): string {
  const q = new URLSearchParams(query);
  q.delete('resent');
  q.set('username', email);
  return q.toString();
}
