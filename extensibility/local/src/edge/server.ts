// The edge: one HTTP endpoint in front of every local AWS service, the way AWS_ENDPOINT_URL
// expects (the SDK sends every service to the same URL; X-Amz-Target or the path tells them apart).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { AwsError } from './errors.js';
import type { EdgeRequest, EdgeService, JsonService, PathService, ProxyService } from './types.js';
import { isObject } from '../json.js';
import { jsonBody, sendJson } from '../services/request.js';
import type { Iam } from '../iam/iam.js';
import type { Caller } from '../iam/policy/evaluate.js';

export const DEFAULT_EDGE_PORT = 4566;
export const DEFAULT_EDGE_HOST = '127.0.0.1';
/** The edge refuses bodies above this before any service sees them (services have their own, lower limits). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface EdgeOptions {
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  services: EdgeService[];
  log?: (line: string) => void;
  /** Verifies SigV4 of keys it issued and authorizes their calls; without it every request is the administrator's. */
  iam?: Iam;
}

export interface Edge {
  readonly url: string;
  readonly port: number;
  addService(service: EdgeService): void;
  /**
   * Adds a WebSocket endpoint: `handler` takes an HTTP upgrade it answers (and returns true) or
   * returns false; an upgrade no handler takes is refused with 404.
   */
  onUpgrade(handler: UpgradeHandler): void;
  /** Requests served so far, by X-Amz-Target (`AWSEvents.PutEvents`) or else by service and method (`lambda POST`). */
  requests(): Record<string, number>;
  close(): Promise<void>;
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

const isJson = (s: EdgeService): s is JsonService => 'handle' in s;
const isProxy = (s: EdgeService): s is ProxyService => 'proxy' in s;
const isPath = (s: EdgeService): s is PathService => 'serve' in s;

/** An error in the JSON protocol's shape, which every SDK parses into the named exception. */
export function sendAwsError(res: ServerResponse, error: AwsError, contentType = 'application/x-amz-json-1.1'): void {
  sendJson(
    res,
    error.status,
    { __type: error.code, message: error.message },
    { 'content-type': contentType, 'x-amzn-errortype': error.code },
  );
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AwsError('RequestEntityTooLargeException', `Request body exceeds ${MAX_BODY_BYTES} bytes`, 413));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const services = [...options.services];
  const log = options.log ?? (() => {});
  const counts = new Map<string, number>();
  const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  /** The service of each X-Amz-Target prefix, found once. */
  const byPrefix = new Map<string, EdgeService | undefined>();
  const serviceOf = (prefix: string): EdgeService | undefined => {
    if (!byPrefix.has(prefix)) {
      const answers = (s: ProxyService | JsonService) => s.targetPrefixes.includes(prefix);
      byPrefix.set(
        prefix,
        services.find((s): s is ProxyService => isProxy(s) && answers(s)) ??
          services.find((s): s is JsonService => isJson(s) && answers(s)),
      );
    }
    return byPrefix.get(prefix);
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The JSON protocols all post to "/": no URL to parse for them.
    const url = req.url === '/' || req.url === undefined ? undefined : new URL(req.url, 'http://edge');
    const request: EdgeRequest = {
      method: req.method ?? 'GET',
      path: url?.pathname ?? '/',
      query: url?.searchParams ?? new URLSearchParams(),
      headers: req.headers,
      body: await readBody(req),
    };
    // A request signed with a key the local cloud issued is its role's; any other is the administrator's.
    let caller: Caller | undefined;
    try {
      caller = await options.iam?.caller(request);
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      const json = typeof req.headers['x-amz-target'] === 'string';
      return sendAwsError(res, e, json ? 'application/x-amz-json-1.0' : 'application/json');
    }
    /** The role's authorization of the request, or the AwsError that refuses it. */
    const refused = (
      serviceName: string,
      operation?: string,
      input?: Record<string, unknown>,
    ): AwsError | undefined => {
      if (!caller || !options.iam) return undefined;
      try {
        const deniedEntries = options.iam.authorizeRequest(caller, serviceName, request, operation, input);
        if (deniedEntries.size > 0) request.deniedEntries = deniedEntries;
        return undefined;
      } catch (e) {
        if (e instanceof AwsError) return e;
        throw e;
      }
    };
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') {
      const dot = target.lastIndexOf('.');
      const prefix = target.slice(0, dot);
      const operation = target.slice(dot + 1);
      const found = serviceOf(prefix);
      count(found ? target : 'unknown X-Amz-Target');
      if (found && isProxy(found)) {
        const denied = refused(found.name);
        if (denied) return sendAwsError(res, denied, 'application/x-amz-json-1.0');
        return found.proxy(request, res);
      }
      const service = found && isJson(found) ? found : undefined;
      const contentType = `application/x-amz-json-${service?.jsonVersion ?? '1.1'}`;
      if (!service || dot < 0) {
        return sendAwsError(
          res,
          new AwsError('UnknownOperationException', `No local service answers X-Amz-Target ${target}`),
          contentType,
        );
      }
      let input: Record<string, unknown>;
      try {
        const parsed = jsonBody(request);
        if (!isObject(parsed)) throw new Error('the body must be a JSON object');
        input = parsed;
      } catch (e) {
        return sendAwsError(
          res,
          new AwsError('SerializationException', `Malformed request body: ${(e as Error).message}`),
          contentType,
        );
      }
      const denied = refused(service.name, operation, input);
      if (denied) return sendAwsError(res, denied, contentType);
      try {
        const output = await service.handle(operation, input, request);
        // The JSON protocols answer an operation without output with {}.
        return sendJson(res, 200, output === undefined ? {} : output, { 'content-type': contentType });
      } catch (e) {
        if (e instanceof AwsError) return sendAwsError(res, e, contentType);
        log(`[edge] ${target} failed: ${(e as Error).stack ?? String(e)}`);
        return sendAwsError(res, new AwsError('InternalFailure', (e as Error).message, 500), contentType);
      }
    }
    const pathService = services.find((s): s is PathService => isPath(s) && s.accepts(request));
    count(`${pathService?.name ?? 'unknown'} ${request.method}`);
    if (pathService) {
      const denied = refused(pathService.name);
      // The REST protocols (Lambda, Scheduler) answer AccessDeniedException with 403.
      if (denied) return sendAwsError(res, new AwsError(denied.code, denied.message, 403), 'application/json');
      return pathService.serve(request, res);
    }
    return sendAwsError(
      res,
      new AwsError('UnknownOperationException', `No local service answers ${request.method} ${request.path}`, 404),
    );
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      const error = e instanceof AwsError ? e : new AwsError('InternalFailure', (e as Error).message, 500);
      if (!res.headersSent) sendAwsError(res, error);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  const upgrades: UpgradeHandler[] = [];
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (upgrades.some((handler) => handler(req, socket, head))) return;
    socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_EDGE_PORT, options.host ?? DEFAULT_EDGE_HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? DEFAULT_EDGE_HOST;
  return {
    url: `http://${host}:${port}`,
    port,
    addService: (s) => {
      services.push(s);
      byPrefix.clear();
    },
    onUpgrade: (handler) => void upgrades.push(handler),
    requests: () => Object.fromEntries(counts),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
