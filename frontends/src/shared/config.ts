// The apps' settings, read from the config.json served beside each app, so one build runs against AWS
// and against the local cloud. Checked whole: a wrong file names every field that is wrong, why, and
// what to write instead.

/** config.json as it is written: the core stack's outputs (AWS) or what `presso up` serves (locally). */
export interface ConfigFile {
  /** The core's HTTP API, e.g. https://abc123.execute-api.us-east-1.amazonaws.com (the ApiUrl output). */
  apiUrl: string;
  /** The user pool domain: https://<prefix>.auth.<region>.amazoncognito.com (a bare host is taken as https). */
  userPoolDomain: string;
  /** The user pool app client (code flow, no secret). */
  clientId: string;
  /** Where the user pool domain sends the browser back after sign-in: one of the app client's CallbackURLs. */
  redirectUri: string;
  /** Where /logout sends the browser: one of the app client's LogoutURLs (default: the redirect URI). */
  logoutUri?: string;
  /** OAuth scopes to ask for (default openid, email, profile). */
  scopes?: string[];
  /** The AppSync Events HTTP endpoint: https://<Dns.Http>/event (a bare host, as Dns.Http gives it, is completed). */
  realtimeHttpUrl: string;
  /** The AppSync Events WebSocket endpoint: wss://<Dns.Realtime>/event/realtime (a bare host is completed). */
  realtimeWsUrl: string;
}

/** The checked settings, every URL whole. */
export interface AppConfig {
  apiUrl: string;
  auth: { domain: string; clientId: string; redirectUri: string; logoutUri: string; scopes: string[] };
  realtime: {
    httpUrl: string;
    wsUrl: string;
    /** The host AppSync expects in the authorization header of every WebSocket message: the HTTP endpoint's. */
    host: string;
  };
}

export const DEFAULT_SCOPES = ['openid', 'email', 'profile'];

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is not a valid app config:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  }
}

const HOST = /^[A-Za-z0-9.-]+(:\d+)?$/;

/** A URL of one of the protocols, or a bare host completed with the first protocol and the path. */
function urlField(
  file: Record<string, unknown>,
  field: string,
  protocols: string[],
  example: string,
  problems: string[],
  barePath = '',
  exact = false,
): string | undefined {
  const value = file[field];
  const expected = `${protocols.join(' or ')} URL such as ${example}`;
  if (value === undefined || value === null || value === '') {
    problems.push(`${field} is missing: add the ${expected}.`);
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.push(`${field} must be a string, the ${expected}; it is ${JSON.stringify(value)}.`);
    return undefined;
  }
  const text = HOST.test(value) ? `${protocols[0]}//${value}${barePath}` : value;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push(`${field} is not a URL (${JSON.stringify(value)}): write the ${expected}.`);
    return undefined;
  }
  if (!protocols.includes(url.protocol)) {
    problems.push(`${field} must start with ${protocols.join(' or ')}, not ${url.protocol} (${value}).`);
    return undefined;
  }
  if (url.search || url.hash) {
    problems.push(`${field} must not carry a query or fragment (${value}).`);
    return undefined;
  }
  // A redirect or logout URI is compared with the app client's list character for character: kept as written.
  return exact ? text : url.href.replace(/\/+$/, '');
}

/** Checks a parsed config.json; throws ConfigError listing every problem. */
export function parseConfig(input: unknown, source = 'config.json'): AppConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new ConfigError(source, ['it must be a JSON object with apiUrl, userPoolDomain, clientId, ...']);
  const file = input as Record<string, unknown>;
  const problems: string[] = [];
  const http = ['https:', 'http:'];
  const apiUrl = urlField(file, 'apiUrl', http, 'https://abc123.execute-api.us-east-1.amazonaws.com', problems);
  const domain = urlField(
    file,
    'userPoolDomain',
    http,
    'https://serverlesspresso.auth.us-east-1.amazoncognito.com',
    problems,
  );
  const redirectUri = urlField(file, 'redirectUri', http, 'https://bar.example.com/order/', problems, '', true);
  const logoutUri =
    file.logoutUri === undefined
      ? redirectUri
      : urlField(file, 'logoutUri', http, 'https://bar.example.com/order/', problems, '', true);
  const realtimeHttpUrl = urlField(
    file,
    'realtimeHttpUrl',
    http,
    'https://abc.appsync-api.us-east-1.amazonaws.com/event',
    problems,
    '/event',
  );
  const realtimeWsUrl = urlField(
    file,
    'realtimeWsUrl',
    ['wss:', 'ws:'],
    'wss://abc.appsync-realtime-api.us-east-1.amazonaws.com/event/realtime',
    problems,
    '/event/realtime',
  );
  const clientId = file.clientId;
  if (typeof clientId !== 'string' || !/^[\w+]+$/.test(clientId))
    problems.push(
      `clientId must be the user pool app client's id (letters, digits, underscores; the UserPoolClientId output); it is ${JSON.stringify(clientId)}.`,
    );
  let scopes = DEFAULT_SCOPES;
  if (file.scopes !== undefined) {
    const given = file.scopes;
    if (!Array.isArray(given) || given.length === 0 || !given.every((s) => typeof s === 'string' && /^\S+$/.test(s)))
      problems.push(
        `scopes must be a non-empty list of scope names such as ["openid", "email"]; it is ${JSON.stringify(given)}.`,
      );
    else if (!given.includes('openid'))
      problems.push('scopes must include "openid": without it the user pool gives no ID token.');
    else scopes = given as string[];
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  return {
    apiUrl: apiUrl!,
    auth: { domain: domain!, clientId: clientId as string, redirectUri: redirectUri!, logoutUri: logoutUri!, scopes },
    realtime: { httpUrl: realtimeHttpUrl!, wsUrl: realtimeWsUrl!, host: new URL(realtimeHttpUrl!).host },
  };
}

export interface LoadConfigOptions {
  /** Where config.json is, relative to `base` (default 'config.json': beside the app). */
  path?: string;
  /** Default: the page's address (document.baseURI). */
  base?: string;
  fetch?: typeof fetch;
}

/** Fetches and checks config.json; throws ConfigError saying what is wrong with the file or where it is missing. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<AppConfig> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = options.base ?? globalThis.document?.baseURI;
  const url = base ? new URL(options.path ?? 'config.json', base).href : (options.path ?? 'config.json');
  let response: Response;
  try {
    response = await doFetch(url, { cache: 'no-store', headers: { accept: 'application/json' } });
  } catch (e) {
    throw new ConfigError(url, [`it could not be fetched (${(e as Error).message}): is the app served over HTTP?`]);
  }
  if (!response.ok)
    throw new ConfigError(url, [
      `the server answered ${response.status}: deploy config.json beside the app (presso up serves one locally).`,
    ]);
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    throw new ConfigError(url, ['it is not JSON.']);
  }
  return parseConfig(parsed, url);
}
