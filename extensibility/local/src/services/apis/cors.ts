// CORS as API Gateway applies it: an HTTP API's CorsConfiguration (its own preflight answer, headers
// on every response), and the OPTIONS mock SAM's Cors adds to every path of a REST API.
import type { CorsConfig, RestCorsConfig } from './model.js';
import type { CompiledRoute } from './routes.js';

const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/** An allowed origin may be `*` or end in `*` (`https://*`), as in an HTTP API's allowOrigins. */
function originAllowed(allowed: string[], origin: string): boolean {
  return allowed.some((a) => a === '*' || a === origin || (a.endsWith('*') && origin.startsWith(a.slice(0, -1))));
}

/** The CORS headers an HTTP API adds to a response for this origin (none when it is not allowed). */
export function corsHeaders(cors: CorsConfig, origin: string): Record<string, string> {
  if (!originAllowed(cors.allowOrigins, origin)) return {};
  const headers: Record<string, string> = {
    // With credentials the browser refuses "*", so the request's origin is echoed.
    'access-control-allow-origin': cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : origin,
  };
  if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  if (cors.exposeHeaders) headers['access-control-expose-headers'] = cors.exposeHeaders.join(',');
  return headers;
}

/** An HTTP API's answer to a preflight: the CORS headers with the allowed methods, headers and max age. */
export function preflightHeaders(cors: CorsConfig, corsHeaders: Record<string, string>): Record<string, string> {
  const preflight: Record<string, string> = { ...corsHeaders };
  if (Object.keys(corsHeaders).length > 0) {
    if (cors.allowMethods) preflight['access-control-allow-methods'] = cors.allowMethods.join(',');
    if (cors.allowHeaders) preflight['access-control-allow-headers'] = cors.allowHeaders.join(',');
    if (cors.maxAge !== undefined) preflight['access-control-max-age'] = String(cors.maxAge);
  }
  return preflight;
}

/** The headers of the OPTIONS mock SAM's Cors adds to a REST API path, given the routes on that path (most specific first). */
export function restPreflightHeaders(cors: RestCorsConfig, onPath: CompiledRoute[]): Record<string, string> {
  // SAM lists the methods of the path's resource (the most specific one that matches).
  const best = onPath[0]!;
  const methods = new Set(['OPTIONS']);
  for (const c of onPath) {
    if (c.rank !== best.rank || c.segments !== best.segments || c.route.path !== best.route.path) continue;
    const method = c.route.method.toUpperCase();
    for (const m of method === 'ANY' ? ALL_METHODS : [method]) methods.add(m);
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': '0',
    'access-control-allow-origin': cors.allowOrigin,
    'access-control-allow-methods': cors.allowMethods ?? [...methods].sort().join(','),
  };
  if (cors.allowHeaders) headers['access-control-allow-headers'] = cors.allowHeaders;
  if (cors.maxAge) headers['access-control-max-age'] = cors.maxAge;
  if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  return headers;
}
