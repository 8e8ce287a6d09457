// Staff service routes: who works an event. Its admins (and operators) add and remove baristas and
// admins by email, list them, and issue or revoke the sign-in of a display device (a user of the
// pool in the event's display group). Everyone signed in reads the events they work (GET /me/events).
// Roles are Cognito groups ("<eventId>.<role>", created on demand): a change shows in the person's
// next token (their next sign-in, or their app's next token refresh).
import { randomBytes } from 'node:crypto';
import {
  badRequest,
  displaySignIn,
  emailProblem,
  eventGroup,
  eventsOf,
  notFound,
  staffRoleProblem,
  STAFF_ROLES,
  type EventRole,
  type StaffRole,
} from '../../domain/index.js';
import { requireEventAdmin, rolesOfCaller } from '../../adapters/http/auth.js';
import { json, Problem } from '../../adapters/http/responses.js';
import { eventIdParam, httpRoutes, objectBody, type HttpRequest } from '../../adapters/http/router.js';
import { listEventIds, loadConfig } from '../../adapters/configStore.js';
import {
  addToGroup,
  createDeviceUser,
  deleteUser,
  ensureGroup,
  groupsOf,
  membersOf,
  removeFromGroup,
} from '../../adapters/userPool.js';

const DESCRIPTIONS: Record<EventRole, string> = {
  admin: 'Admins of the event: config, menu, QR code, staff and displays',
  barista: 'Baristas of the event: its queue (make, complete, cancel)',
  display: 'Display devices of the event: its board and QR code only',
};

const groupOf = async (eventId: string, role: EventRole): Promise<string> => {
  const group = eventGroup(eventId, role);
  await ensureGroup(group, DESCRIPTIONS[role]);
  return group;
};

/** The event named in the path, which must have a config (staff of an event that does not exist is a typo). */
async function existingEvent(request: HttpRequest, what: string): Promise<string> {
  const eventId = eventIdParam(request);
  requireEventAdmin(request.caller, eventId, what);
  if (!(await loadConfig(eventId)))
    throw new Problem(
      notFound(
        'EVENT_NOT_FOUND',
        `There is no coffee bar event ${eventId}: create it first (PATCH /events/${eventId}/config).`,
      ),
    );
  return eventId;
}

function emailParam(request: HttpRequest): string {
  const email = (request.params.email ?? '').trim().toLowerCase();
  const problem = emailProblem(email);
  if (problem) throw new Problem(badRequest('INVALID_EMAIL', `The email in the path ${problem}.`));
  return email;
}

const noSuchPerson = (email: string) =>
  new Problem(
    notFound(
      'USER_NOT_FOUND',
      `No one has signed up with ${email}: ask them to sign up (the order app's sign-in page), then add them again.`,
    ),
  );

async function listStaff(request: HttpRequest) {
  const eventId = await existingEvent(request, 'list the staff of the event');
  const [admins, baristas, displays] = await Promise.all(
    (['admin', 'barista', 'display'] as const).map((role) => membersOf(eventGroup(eventId, role))),
  );
  const people = new Map<string, { email: string; userId: string; roles: StaffRole[] }>();
  for (const [role, members] of [
    ['admin', admins!],
    ['barista', baristas!],
  ] as const)
    for (const m of members) {
      const entry = people.get(m.username) ?? { email: m.email, userId: m.username, roles: [] };
      entry.roles.push(role);
      people.set(m.username, entry);
    }
  return json(200, {
    eventId,
    staff: [...people.values()].sort((a, b) => a.email.localeCompare(b.email)),
    displays: displays!.map((d) => ({
      displayId: d.username,
      username: d.email,
      enabled: d.enabled,
      ...(d.created ? { created: d.created } : {}),
    })),
  });
}

async function addStaff(request: HttpRequest) {
  const eventId = await existingEvent(request, 'add staff to the event');
  const email = emailParam(request);
  const body = objectBody(request, '{"role": "barista"}');
  const problem = staffRoleProblem(body.role);
  if (problem) throw new Problem(badRequest('INVALID_ROLE', problem));
  const role = body.role as StaffRole;
  if (!(await addToGroup(email, await groupOf(eventId, role)))) throw noSuchPerson(email);
  return json(200, {
    eventId,
    email,
    role,
    message: `${email} is now ${role === 'admin' ? 'an admin' : 'a barista'} of ${eventId}: their next sign-in (or token refresh) carries it.`,
  });
}

async function removeStaff(request: HttpRequest) {
  const eventId = await existingEvent(request, 'remove staff from the event');
  const email = emailParam(request);
  const role = request.query.role;
  if (role !== undefined) {
    const problem = staffRoleProblem(role);
    if (problem) throw new Problem(badRequest('INVALID_ROLE', `Query parameter ${problem}.`));
  }
  const roles: readonly StaffRole[] = role === undefined ? STAFF_ROLES : [role as StaffRole];
  for (const r of roles) if (!(await removeFromGroup(email, eventGroup(eventId, r)))) throw noSuchPerson(email);
  return json(200, {
    eventId,
    email,
    removed: roles,
    message: `${email} is no longer ${roles.join(' or ')} of ${eventId}: their next token refresh drops it (a token they hold now keeps it until it expires, at most 60 minutes).`,
  });
}

async function issueDisplay(request: HttpRequest) {
  const eventId = await existingEvent(request, 'issue a display sign-in for the event');
  const { email, password } = displaySignIn(eventId, randomBytes(24));
  const device = await createDeviceUser(email, password, await groupOf(eventId, 'display'));
  return json(201, {
    eventId,
    displayId: device.username,
    username: email,
    password,
    message: `Sign the display in once with this username and password (the display app's sign-in page); it reads the board and QR code of ${eventId} and nothing else. Revoke it with DELETE /events/${eventId}/displays/${device.username}.`,
  });
}

async function revokeDisplay(request: HttpRequest) {
  const eventId = await existingEvent(request, 'revoke a display of the event');
  const displayId = request.params.displayId ?? '';
  const groups = displayId === '' ? undefined : await groupsOf(displayId);
  if (!groups?.includes(eventGroup(eventId, 'display')))
    throw new Problem(
      notFound(
        'DISPLAY_NOT_FOUND',
        `${eventId} has no display ${displayId}: GET /events/${eventId}/staff lists its displays.`,
      ),
    );
  await deleteUser(displayId);
  return json(200, {
    eventId,
    displayId,
    message: `The display ${displayId} of ${eventId} is revoked: it is signed out and cannot sign in or refresh again (the token it holds now expires within 60 minutes).`,
  });
}

/** The events the caller works, with their roles; an operator administers every event with a config. */
async function myEvents(request: HttpRequest) {
  const roles = rolesOfCaller(request.caller);
  const mine = eventsOf(roles);
  if (roles.operator) {
    const known = new Set(mine.map((e) => e.eventId));
    for (const eventId of await listEventIds()) if (!known.has(eventId)) mine.push({ eventId, roles: ['admin'] });
    for (const e of mine) if (!e.roles.includes('admin')) e.roles = ['admin', ...e.roles];
    mine.sort((a, b) => a.eventId.localeCompare(b.eventId));
  }
  return json(200, { userId: request.caller.userId, operator: roles.operator, events: mine });
}

export const handler = httpRoutes(
  {
    'GET /me/events': myEvents,
    'GET /events/{eventId}/staff': listStaff,
    'PUT /events/{eventId}/staff/{email}': addStaff,
    'DELETE /events/{eventId}/staff/{email}': removeStaff,
    'POST /events/{eventId}/displays': issueDisplay,
    'DELETE /events/{eventId}/displays/{displayId}': revokeDisplay,
  },
  // A display device may ask which event it shows.
  { displayRoutes: ['GET /me/events'] },
);
