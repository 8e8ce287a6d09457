// Serves the built apps from the local cloud's edge, <edge>/apps/<app>/, each with the config.json
// that points it at the deployed core (its local URLs), as CloudFront serves them in AWS.
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { APPS, DIST, type AppName } from './build.js';

export const APPS_PATH = '/apps';

/** What the edge passes a path service (the local cloud's EdgeRequest, the part read here). */
interface EdgeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

/** The local cloud's PathService: cloud.edge.addService(webAppsService(...)). */
export interface PathService {
  readonly name: string;
  accepts(request: EdgeRequest): boolean;
  serve(request: EdgeRequest, response: ServerResponse): Promise<void>;
}

/** Where each app is served on the edge: <edge>/apps/<app>/ (the user pool's callback and logout URLs). */
export const appUrls = (edgeUrl: string): Record<AppName, string> =>
  Object.fromEntries(APPS.map((app) => [app, `${edgeUrl.replace(/\/+$/, '')}${APPS_PATH}/${app}/`])) as Record<
    AppName,
    string
  >;

/**
 * config.json as the shared module's loadConfig reads it (src/shared/config.ts ConfigFile; written out
 * here because this file runs in Node, in programs without the browser's types; test/apps/serve.test.ts
 * checks the two agree).
 */
export interface ConfigFile {
  apiUrl: string;
  userPoolDomain: string;
  clientId: string;
  redirectUri: string;
  logoutUri?: string;
  scopes?: string[];
  realtimeHttpUrl: string;
  realtimeWsUrl: string;
}

/** The core stack's outputs the apps need (local URLs on the local cloud, AWS's in AWS). */
export interface CoreOutputs {
  ApiUrl: string;
  AuthDomainUrl: string;
  UserPoolClientId: string;
  RealtimeHttpUrl: string;
  RealtimeUrl: string;
}

export const CORE_OUTPUTS = ['ApiUrl', 'AuthDomainUrl', 'UserPoolClientId', 'RealtimeHttpUrl', 'RealtimeUrl'] as const;

/** The core's outputs when the stack has them all, else undefined. */
export function coreOutputsOf(outputs: Record<string, string | undefined>): CoreOutputs | undefined {
  if (CORE_OUTPUTS.some((name) => !outputs[name])) return undefined;
  return Object.fromEntries(CORE_OUTPUTS.map((name) => [name, outputs[name]!])) as unknown as CoreOutputs;
}

/** config.json of one app served at appUrl. */
export const appConfig = (core: CoreOutputs, appUrl: string): ConfigFile => ({
  apiUrl: core.ApiUrl,
  userPoolDomain: core.AuthDomainUrl,
  clientId: core.UserPoolClientId,
  redirectUri: appUrl,
  logoutUri: appUrl,
  realtimeHttpUrl: core.RealtimeHttpUrl,
  realtimeWsUrl: core.RealtimeUrl,
});

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface WebAppsServiceOptions {
  /** The built apps (default dist/). */
  distDir?: string;
  /** config.json of an app: undefined while no core is deployed (answered 503 with why). */
  config: (app: AppName) => ConfigFile | undefined;
}

/** A path service for the edge: GET <edge>/apps/<app>/[file]. */
export function webAppsService(options: WebAppsServiceOptions): PathService {
  const dist = options.distDir ?? DIST;
  return {
    name: 'apps',
    accepts: (request: EdgeRequest) => request.path === APPS_PATH || request.path.startsWith(`${APPS_PATH}/`),
    async serve(request: EdgeRequest, response: ServerResponse) {
      const send = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) =>
        void response
          .writeHead(status, { 'content-type': type, 'cache-control': 'no-cache', ...headers })
          .end(request.method === 'HEAD' ? undefined : body);
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return send(405, 'text/plain', 'The apps are static: GET only.', { allow: 'GET, HEAD' });
      const [app, ...rest] = request.path.slice(APPS_PATH.length + 1).split('/');
      if (!app || !(APPS as readonly string[]).includes(app))
        return send(
          404,
          'text/html; charset=utf-8',
          `<!doctype html><title>Apps</title><h1>The bar's apps</h1><ul>${APPS.map((a) => `<li><a href="${APPS_PATH}/${a}/">${a}</a></li>`).join('')}</ul>`,
        );
      if (rest.length === 0) {
        const query = request.query.size ? `?${request.query}` : '';
        return send(308, 'text/plain', '', { location: `${APPS_PATH}/${app}/${query}` });
      }
      const file = rest.join('/') || 'index.html';
      if (file === 'config.json') {
        const config = options.config(app as AppName);
        if (!config)
          return send(
            503,
            'application/json',
            JSON.stringify({
              message: 'No core is deployed on this local cloud yet, so the apps have nothing to talk to.',
            }),
          );
        return send(200, 'application/json', JSON.stringify(config, null, 2));
      }
      const path = normalize(join(dist, app, file));
      if (!path.startsWith(join(dist, app)) || !existsSync(path) || !statSync(path).isFile())
        return send(404, 'text/plain', `No ${file} in the ${app} app.`);
      return send(200, TYPES[extname(path)] ?? 'application/octet-stream', readFileSync(path));
    },
  };
}
