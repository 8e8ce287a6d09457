// Who calls an HTTP route: the API's JWT authorizer (a Cognito user pool in AWS, the local issuer on
// the local cloud) has verified the token; its claims arrive in requestContext.authorizer.jwt.claims.
// Groups decide what a caller may do: admin (config, QR codes) and barista (the queue and its actions).
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { forbidden, type Actor } from '../../domain/index.js';
import { Problem } from './responses.js';

export type Group = 'admin' | 'barista';

export interface Caller {
  /** The token's subject (Cognito's sub). */
  userId: string;
  groups: string[];
  /** The ID token's email, lowercased (an access token carries none). */
  email?: string;
  /** The ID token's email_verified: true only when Cognito verified the address (a code was confirmed). */
  emailVerified?: true;
}

/**
 * The cognito:groups claim in any of the forms it arrives in: a JSON array (the token itself), or
 * the text API Gateway's HTTP API makes of an array claim, "[admin barista]"; also a bare "admin".
 */
export function parseGroups(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((g): g is string => typeof g === 'string' && g !== '');
  if (typeof claim !== 'string') return [];
  const text = claim.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    const inner = text.slice(1, -1).trim();
    if (inner.startsWith('"')) {
      try {
        return parseGroups(JSON.parse(text));
      } catch {
        // Not JSON after all: fall through to the space-separated form.
      }
    }
    return inner.split(/[\s,]+/).filter((g) => g !== '');
  }
  return text.split(/[\s,]+/).filter((g) => g !== '');
}

/** The caller of a request, or undefined when it carries no verified subject (only possible on a route without an authorizer). */
export function callerOf(event: Pick<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'>): Caller | undefined {
  const claims = (event.requestContext as Partial<APIGatewayProxyEventV2WithJWTAuthorizer['requestContext']>).authorizer
    ?.jwt?.claims;
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub === '') return undefined;
  const email = claims?.email;
  return {
    userId: sub,
    groups: parseGroups(claims?.['cognito:groups']),
    ...(typeof email === 'string' && email !== '' ? { email: email.trim().toLowerCase() } : {}),
    // API Gateway passes claims as text ("true"); the token itself has a boolean.
    ...(claims?.email_verified === true || claims?.email_verified === 'true' ? { emailVerified: true as const } : {}),
  };
}

export const isMember = (caller: Caller, group: Group): boolean => caller.groups.includes(group);

/** Throws 403 unless the caller is in one of the groups. */
export function requireGroup(caller: Caller, groups: readonly Group[], what: string): void {
  if (groups.some((g) => isMember(caller, g))) return;
  const which = groups.length === 1 ? `the ${groups[0]} group` : `the ${groups.join(' or ')} groups`;
  throw new Problem(forbidden('WRONG_GROUP', `Only members of ${which} may ${what}.`));
}

/** The caller acting as staff on an order: a barista, or an admin (who may also act on others' claims). */
export function staffActor(caller: Caller, what: string): Actor {
  requireGroup(caller, ['barista', 'admin'], what);
  return isMember(caller, 'barista')
    ? { role: 'barista', userId: caller.userId }
    : { role: 'admin', userId: caller.userId };
}
