// Serves the built console from the local cloud's edge at <edge>/_presso/console/ (what presso up
// adds and prints). Static files only: the console reads the edge's AWS APIs and /_presso/ routes.
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { DIST } from './build.js';

export const CONSOLE_PATH = '/_presso/console';

interface EdgeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

/** The local cloud's PathService: cloud.edge.addService(consoleService()). */
export interface PathService {
  readonly name: string;
  accepts(request: EdgeRequest): boolean;
  serve(request: EdgeRequest, response: ServerResponse): Promise<void>;
}

/** Where the console answers on an edge. */
export const consoleUrl = (edgeUrl: string): string => `${edgeUrl.replace(/\/+$/, '')}${CONSOLE_PATH}/`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** GET <edge>/_presso/console/[file] from distDir (default dist/). */
export function consoleService(distDir = DIST): PathService {
  return {
    name: 'console',
    accepts: (request) => request.path === CONSOLE_PATH || request.path.startsWith(`${CONSOLE_PATH}/`),
    async serve(request, response) {
      const send = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) =>
        void response
          .writeHead(status, { 'content-type': type, 'cache-control': 'no-cache', ...headers })
          .end(request.method === 'HEAD' ? undefined : body);
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return send(405, 'text/plain', 'The console is static: GET only.', { allow: 'GET, HEAD' });
      if (request.path === CONSOLE_PATH) return send(308, 'text/plain', '', { location: `${CONSOLE_PATH}/` });
      const file = request.path.slice(CONSOLE_PATH.length + 1) || 'index.html';
      const path = normalize(join(distDir, file));
      if (!path.startsWith(distDir) || !existsSync(path) || !statSync(path).isFile())
        return send(404, 'text/plain', `No ${file} in the console.`);
      return send(200, TYPES[extname(path)] ?? 'application/octet-stream', readFileSync(path));
    },
  };
}
