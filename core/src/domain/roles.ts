// Who may do what at which event, from the token's Cognito groups (cognito:groups). People and
// devices belong to events through groups named "<eventId>.<role>": an event's admins
// ("NYC.admin": config, menu, QR code, its staff and displays), its baristas ("NYC.barista": the
// queue) and its display devices ("NYC.display": the board and the QR code, nothing else). The
// global group "admin" is the operator, who administers every event. The groups of an event are
// created on demand (CreateGroup) when its first member is added; the seed event's come with the stack.
import { eventIdProblem } from './tenant.js';

export const EVENT_ROLES = ['admin', 'barista', 'display'] as const;
export type EventRole = (typeof EVENT_ROLES)[number];
/** The roles a person is given by an admin (a display is a device the core creates). */
export const STAFF_ROLES = ['admin', 'barista'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The operator group: an admin of every event. */
export const OPERATOR_GROUP = 'admin';

/** The group of a role at an event, e.g. "NYC.barista" (Cognito's GroupName allows the dot). */
export const eventGroup = (eventId: string, role: EventRole): string => `${eventId}.${role}`;

/** The event and role a group names, or undefined for any other group. */
export function parseEventGroup(group: string): { eventId: string; role: EventRole } | undefined {
  const cut = group.lastIndexOf('.');
  if (cut < 1) return undefined;
  const eventId = group.slice(0, cut);
  const role = group.slice(cut + 1) as EventRole;
  if (!EVENT_ROLES.includes(role) || eventIdProblem(eventId) !== undefined) return undefined;
  return { eventId, role };
}

export interface Roles {
  /** In the operator group: admin of every event. */
  operator: boolean;
  /** eventId → the roles held there, in EVENT_ROLES order. */
  events: Record<string, EventRole[]>;
}

export function rolesOf(groups: readonly string[]): Roles {
  const events: Record<string, EventRole[]> = {};
  for (const group of groups) {
    const parsed = parseEventGroup(group);
    if (!parsed) continue;
    const held = (events[parsed.eventId] ??= []);
    if (!held.includes(parsed.role)) held.push(parsed.role);
  }
  for (const held of Object.values(events)) held.sort((a, b) => EVENT_ROLES.indexOf(a) - EVENT_ROLES.indexOf(b));
  return { operator: groups.includes(OPERATOR_GROUP), events };
}

/** The roles held at one event (the operator holds admin everywhere). */
export function rolesAt(roles: Roles, eventId: string): EventRole[] {
  const held = roles.events[eventId] ?? [];
  return roles.operator && !held.includes('admin') ? ['admin', ...held] : held;
}

/**
 * A display device: a token in some event's display group. It reads its event's board and QR code
 * and nothing else, whatever other group it may be in (a person is never put in a display group).
 */
export const isDisplayDevice = (roles: Roles): boolean =>
  Object.values(roles.events).some((held) => held.includes('display'));

/** What a caller may do at an event. */
export const mayAdminister = (roles: Roles, eventId: string): boolean => rolesAt(roles, eventId).includes('admin');
export const isStaffOf = (roles: Roles, eventId: string): boolean =>
  rolesAt(roles, eventId).some((r) => r === 'admin' || r === 'barista');
/** The board: the event's staff and display. */
export const maySeeBoard = (roles: Roles, eventId: string): boolean => rolesAt(roles, eventId).length > 0;
/** The QR code that admits customers: the event's admins and display (not its baristas, as before roles). */
export const mayShowCode = (roles: Roles, eventId: string): boolean =>
  rolesAt(roles, eventId).some((r) => r === 'admin' || r === 'display');

/**
 * The acting role of staff at an event: barista when they are one there (they claim and release as a
 * barista), else admin (an admin may also act on others' claims); undefined when not staff there.
 */
export function staffRoleAt(roles: Roles, eventId: string): StaffRole | undefined {
  const held = rolesAt(roles, eventId);
  if (held.includes('barista')) return 'barista';
  if (held.includes('admin')) return 'admin';
  return undefined;
}

/** The events a caller works, for GET /me/events: each with its roles, sorted by event id. */
export function eventsOf(roles: Roles): { eventId: string; roles: EventRole[] }[] {
  return Object.keys(roles.events)
    .sort()
    .map((eventId) => ({ eventId, roles: roles.events[eventId]! }));
}

// ---- Staff and display devices, as the admin routes change them ---------------------------------

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Why an email is not one a person signs in with, or undefined when it is (Cognito compares it lower-cased). */
export function emailProblem(email: unknown): string | undefined {
  if (typeof email !== 'string' || email.length > 254 || !EMAIL.test(email))
    return 'must be the email address the person signs in with, e.g. ana@example.com';
  return undefined;
}

/** The role of PUT /events/{eventId}/staff/{email} {"role"}, or why it is not one. */
export function staffRoleProblem(role: unknown): string | undefined {
  return typeof role === 'string' && (STAFF_ROLES as readonly string[]).includes(role)
    ? undefined
    : `role must be one of ${STAFF_ROLES.join(', ')} (a display is issued with POST /events/{eventId}/displays)`;
}

/**
 * The sign-in of a new display device of an event, from random bytes (at least 12): its email (a
 * user pool whose username is the email needs one; the domain .invalid never receives mail) and a
 * password that passes Cognito's default policy (upper, lower, digit, symbol, 8 or more).
 */
export function displaySignIn(eventId: string, random: Uint8Array): { email: string; password: string } {
  if (random.length < 12) throw new RangeError('displaySignIn needs at least 12 random bytes');
  const hex = Buffer.from(random.subarray(0, 4)).toString('hex');
  const secret = Buffer.from(random.subarray(4)).toString('base64url');
  return {
    email: `display-${hex}@${eventId.toLowerCase().replace(/_/g, '-')}.display.invalid`,
    password: `Tv-${secret}-9a`,
  };
}
