// Serves the built console from the local cloud's edge at <edge>/_presso/console/ (what presso up
// adds and prints). Static files only: the console reads the edge's AWS APIs and /_presso/ routes.
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { catalogGraph } from '@serverlesspresso/catalog/graph';
import { generateCatalog } from '@serverlesspresso/catalog/page';
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

/** What the console's catalog page reads: the graph, and each event's section of catalog.html. */
export interface CatalogFile {
  graph: ReturnType<typeof catalogGraph>;
  events: Array<{ detailType: string; anchor: string }>;
  /** Each rule of the repo's apps (by app and logical id) with the events of the contract it consumes. */
  rules: Array<{ app: string; rule: string; events: Array<{ detailType: string; anchor: string }> }>;
}

function rulesOf(page: ReturnType<typeof generateCatalog>['page']): CatalogFile['rules'] {
  const rules = new Map<string, CatalogFile['rules'][number]>();
  for (const e of page.events)
    for (const c of e.consumers) {
      const key = `${c.app}\u0000${c.rule}`;
      const rule = rules.get(key) ?? { app: c.app, rule: c.rule, events: [] };
      rule.events.push({ detailType: e.entry.detailType, anchor: e.anchor });
      rules.set(key, rule);
    }
  return [...rules.values()];
}

/**
 * GET <edge>/_presso/console/[file] from distDir (default dist/), and the events catalog of the repo
 * (`catalog.json` for the console's graph, `catalog.html` the page `presso catalog` writes),
 * generated from the repo's templates on first request.
 */
export function consoleService(distDir = DIST): PathService {
  let catalog: { json: string; html: string } | undefined;
  const catalogFiles = () => {
    if (!catalog) {
      const { page, html } = generateCatalog();
      const file: CatalogFile = {
        graph: catalogGraph(page),
        events: page.events.map((e) => ({ detailType: e.entry.detailType, anchor: e.anchor })),
        rules: rulesOf(page),
      };
      catalog = { json: JSON.stringify(file), html };
    }
    return catalog;
  };
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
      if (file === 'catalog.json' || file === 'catalog.html') {
        try {
          const files = catalogFiles();
          return file === 'catalog.json'
            ? send(200, 'application/json', files.json)
            : send(200, TYPES['.html']!, files.html);
        } catch (e) {
          return send(500, 'text/plain', `The events catalog could not be generated: ${(e as Error).message}`);
        }
      }
      const path = normalize(join(distDir, file));
      if (!path.startsWith(distDir) || !existsSync(path) || !statSync(path).isFile())
        return send(404, 'text/plain', `No ${file} in the console.`);
      return send(200, TYPES[extname(path)] ?? 'application/octet-stream', readFileSync(path));
    },
  };
}
