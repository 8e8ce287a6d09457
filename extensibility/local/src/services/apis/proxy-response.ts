// A function's result as API Gateway turns it into the HTTP response: a structured result
// (statusCode, headers, cookies, body, base64) or, on payload 2.0, any JSON as a 200 body.
import type { ServerResponse } from 'node:http';
import { isObject } from '../../json.js';
import { sendJson } from '../request.js';

/** The function's result as the HTTP response API Gateway makes of it. */
export function respond(
  response: ServerResponse,
  version: '1.0' | '2.0',
  payload: unknown,
  corsHeaders: Record<string, string>,
  managedCors: boolean,
): void {
  const structured = isObject(payload) && 'statusCode' in payload;
  if (!structured) {
    if (version === '1.0') return sendJson(response, 502, { message: 'Internal server error' }, corsHeaders);
    // Payload 2.0 treats anything without statusCode as a 200 JSON body.
    return sendJson(response, 200, payload ?? null, corsHeaders);
  }
  const p = payload as {
    statusCode: unknown;
    headers?: Record<string, unknown>;
    multiValueHeaders?: Record<string, unknown[]>;
    body?: unknown;
    isBase64Encoded?: boolean;
    cookies?: string[];
  };
  const status = Number(p.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599)
    return sendJson(response, 502, { message: 'Internal server error' }, corsHeaders);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(p.headers ?? {})) headers[k.toLowerCase()] = String(v);
  for (const [k, v] of Object.entries(p.multiValueHeaders ?? {})) headers[k.toLowerCase()] = v.map(String);
  // With CORS configured, an HTTP API ignores the CORS headers the function returns.
  if (managedCors) for (const k of Object.keys(headers)) if (k.startsWith('access-control-')) delete headers[k];
  Object.assign(headers, corsHeaders);
  if (Array.isArray(p.cookies) && p.cookies.length > 0) headers['set-cookie'] = p.cookies.map(String);
  const text =
    p.body === undefined || p.body === null ? '' : typeof p.body === 'string' ? p.body : JSON.stringify(p.body);
  const buffer = p.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  if (!headers['content-type'] && version === '2.0') headers['content-type'] = 'application/json';
  headers['content-length'] = String(buffer.length);
  response.writeHead(status, headers);
  response.end(buffer);
}
