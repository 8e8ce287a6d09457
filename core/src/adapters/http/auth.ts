// Who calls an HTTP route: the API's JWT authorizer (a Cognito user pool in AWS, the local issuer on
// the local cloud) has verified the token; its claims arrive in requestContext.authorizer.jwt.claims.
// Groups decide what a caller may do, per event (domain/roles.ts): "<eventId>.admin" (config, QR
// code, staff), "<eventId>.barista" (the queue and its actions), "<eventId>.display" (the board and
// the QR code only); the global "admin" group is the operator, an admin of every event.
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import {
  forbidden,
  isDisplayDevice,
  isStaffOf,
  mayAdminister,
  maySeeBoard,
  mayShowCode,
  rolesOf,
  staffRoleAt,
  type Actor,
  type Roles,
} from '../../domain/index.js';
import { Problem } from './responses.js';

/** The global groups: admin is the operator. */
export type Group = 'admin';

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

export const rolesOfCaller = (caller: Caller): Roles => rolesOf(caller.groups);

/** The events whose display a display device is (usually one). */
const displayedEvents = (roles: Roles): string[] =>
  Object.entries(roles.events)
    .filter(([, held]) => held.includes('display'))
    .map(([eventId]) => eventId);

const notStaff = (caller: Caller, eventId: string, what: string): Problem => {
  const roles = rolesOfCaller(caller);
  if (isDisplayDevice(roles))
    return new Problem(
      forbidden(
        'DISPLAY_DEVICE',
        `This is the display device of event ${displayedEvents(roles).join(', ')}: it shows that event's board and QR code only, so it may not ${what} of event ${eventId}.`,
      ),
    );
  return new Problem(
    forbidden(
      'NOT_EVENT_STAFF',
      `You are not staff of event ${eventId}, so you may not ${what}: ask an admin of ${eventId} to add you (PUT /events/${eventId}/staff/{email}), then sign in again.`,
    ),
  );
};

/** True when the caller is a barista or an admin of some event, or an operator. */
export const isStaffAnywhere = (caller: Caller): boolean => {
  const roles = rolesOfCaller(caller);
  return roles.operator || Object.keys(roles.events).some((eventId) => isStaffOf(roles, eventId));
};

/** True when the caller is a barista or an admin of the event (or an operator). */
export const isStaffAt = (caller: Caller, eventId: string): boolean => isStaffOf(rolesOfCaller(caller), eventId);

/** Throws 403 unless the caller administers the event: its admin, or an operator. */
export function requireEventAdmin(caller: Caller, eventId: string, what: string): void {
  const roles = rolesOfCaller(caller);
  if (mayAdminister(roles, eventId)) return;
  if (isDisplayDevice(roles) || !isStaffOf(roles, eventId)) throw notStaff(caller, eventId, what);
  throw new Problem(
    forbidden(
      'NOT_EVENT_ADMIN',
      `Only an admin of event ${eventId} (or an operator) may ${what}: ask an admin of ${eventId} to make you one, then sign in again.`,
    ),
  );
}

/** Throws 403 unless the caller may see the event's board and QR code: its staff, its display, an operator. */
export function requireBoardViewer(caller: Caller, eventId: string, what: string): void {
  if (!maySeeBoard(rolesOfCaller(caller), eventId)) throw notStaff(caller, eventId, what);
}

/** Throws 403 unless the caller may show the event's QR code: its admins and display, an operator. */
export function requireCodeViewer(caller: Caller, eventId: string, what: string): void {
  const roles = rolesOfCaller(caller);
  if (mayShowCode(roles, eventId)) return;
  if (isDisplayDevice(roles) || !isStaffOf(roles, eventId)) throw notStaff(caller, eventId, what);
  throw new Problem(
    forbidden(
      'NOT_EVENT_ADMIN',
      `Only an admin or the display of event ${eventId} (or an operator) may ${what}: the display at the bar shows it.`,
    ),
  );
}

/**
 * The caller acting as staff of an event (on one of its orders or its queue): a barista there, or an
 * admin there or an operator (who may also act on others' claims). 403 for anyone else. The actor is
 * scoped to the event, so the domain also refuses an order of another event.
 */
export function staffActorAt(caller: Caller, eventId: string, what: string): Actor {
  const role = staffRoleAt(rolesOfCaller(caller), eventId);
  if (!role) throw notStaff(caller, eventId, what);
  return { role, userId: caller.userId, eventId };
}

/** 403 for a display device on a route it may not call (it may call only the routes named). */
export function refuseDisplayDevice(caller: Caller, routeKey: string, allowed: readonly string[]): void {
  const roles = rolesOfCaller(caller);
  if (!isDisplayDevice(roles) || allowed.includes(routeKey)) return;
  throw new Problem(
    forbidden(
      'DISPLAY_DEVICE',
      `This is the display device of event ${displayedEvents(roles).join(', ')}: it shows that event's board and QR code and does nothing else (not ${routeKey}). Sign in as a person to do that.`,
    ),
  );
}
