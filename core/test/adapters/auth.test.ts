import { describe, expect, it } from '@jest/globals';
import {
  callerOf,
  parseGroups,
  refuseDisplayDevice,
  requireBoardViewer,
  requireEventAdmin,
  requireGroup,
  staffActorAt,
} from '../../src/adapters/http/auth.js';
import { Problem } from '../../src/adapters/http/responses.js';

const withClaims = (claims: Record<string, unknown> | undefined) => ({
  requestContext: (claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}) as never,
});

describe('parseGroups', () => {
  it('reads every form cognito:groups arrives in', () => {
    expect(parseGroups('[admin barista]')).toEqual(['admin', 'barista']);
    expect(parseGroups('[barista]')).toEqual(['barista']);
    expect(parseGroups('[]')).toEqual([]);
    expect(parseGroups(['admin', 'barista'])).toEqual(['admin', 'barista']);
    expect(parseGroups('["admin","barista"]')).toEqual(['admin', 'barista']);
    expect(parseGroups('admin')).toEqual(['admin']);
    expect(parseGroups('admin,barista')).toEqual(['admin', 'barista']);
    expect(parseGroups(undefined)).toEqual([]);
    expect(parseGroups(42)).toEqual([]);
  });
});

describe('callerOf', () => {
  it('is the token subject with its groups', () => {
    expect(callerOf(withClaims({ sub: 'u1', 'cognito:groups': '[admin barista]' }))).toEqual({
      userId: 'u1',
      groups: ['admin', 'barista'],
    });
    expect(callerOf(withClaims({ sub: 'u2' }))).toEqual({ userId: 'u2', groups: [] });
  });

  it('is nobody without a verified subject', () => {
    expect(callerOf(withClaims(undefined))).toBeUndefined();
    expect(callerOf(withClaims({ 'cognito:groups': '[admin]' }))).toBeUndefined();
  });
});

describe('groups', () => {
  const problem = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (e instanceof Problem) return e.error;
      throw e;
    }
    throw new Error('expected a Problem');
  };

  it('403 outside the group, saying which group', () => {
    expect(problem(() => requireGroup({ userId: 'u', groups: ['barista'] }, ['admin'], 'change the config'))).toEqual({
      status: 403,
      code: 'WRONG_GROUP',
      message: 'Only members of the admin group may change the config.',
    });
    expect(() => requireGroup({ userId: 'u', groups: ['admin'] }, ['admin'], 'x')).not.toThrow();
  });

  it('staff act at their events: as baristas there, or as admins there or operators', () => {
    expect(staffActorAt({ userId: 'b', groups: ['NYC.barista'] }, 'NYC', 'make')).toEqual({
      role: 'barista',
      userId: 'b',
      eventId: 'NYC',
    });
    expect(staffActorAt({ userId: 'b', groups: ['NYC.admin', 'NYC.barista'] }, 'NYC', 'make')).toMatchObject({
      role: 'barista',
    });
    expect(staffActorAt({ userId: 'a', groups: ['NYC.admin'] }, 'NYC', 'make')).toMatchObject({ role: 'admin' });
    expect(staffActorAt({ userId: 'o', groups: ['admin'] }, 'LA', 'make')).toEqual({
      role: 'admin',
      userId: 'o',
      eventId: 'LA',
    });
    expect(problem(() => staffActorAt({ userId: 'b', groups: ['NYC.barista'] }, 'LA', 'make an order'))).toEqual({
      status: 403,
      code: 'NOT_EVENT_STAFF',
      message:
        'You are not staff of event LA, so you may not make an order: ask an admin of LA to add you (PUT /events/LA/staff/{email}), then sign in again.',
    });
    expect(problem(() => staffActorAt({ userId: 'c', groups: [] }, 'NYC', 'make an order')).code).toBe(
      'NOT_EVENT_STAFF',
    );
    expect(problem(() => staffActorAt({ userId: 'd', groups: ['NYC.display'] }, 'NYC', 'make an order')).code).toBe(
      'DISPLAY_DEVICE',
    );
  });

  it('an event admin administers that event only; a barista there is told they are not its admin', () => {
    expect(() => requireEventAdmin({ userId: 'a', groups: ['NYC.admin'] }, 'NYC', 'x')).not.toThrow();
    expect(() => requireEventAdmin({ userId: 'o', groups: ['admin'] }, 'LA', 'x')).not.toThrow();
    expect(
      problem(() => requireEventAdmin({ userId: 'a', groups: ['NYC.admin'] }, 'LA', 'change the config')).code,
    ).toBe('NOT_EVENT_STAFF');
    expect(
      problem(() => requireEventAdmin({ userId: 'b', groups: ['NYC.barista'] }, 'NYC', 'change the config')),
    ).toEqual({
      status: 403,
      code: 'NOT_EVENT_ADMIN',
      message:
        'Only an admin of event NYC (or an operator) may change the config: ask an admin of NYC to make you one, then sign in again.',
    });
  });

  it("a display device sees its event's board only, and no other route", () => {
    const tv = { userId: 't', groups: ['NYC.display'] };
    expect(() => requireBoardViewer(tv, 'NYC', 'show the board')).not.toThrow();
    expect(problem(() => requireBoardViewer(tv, 'LA', 'show the display board')).message).toBe(
      "This is the display device of event NYC: it shows that event's board and QR code only, so it may not show the display board of event LA.",
    );
    expect(() =>
      refuseDisplayDevice(tv, 'GET /events/{eventId}/display', ['GET /events/{eventId}/display']),
    ).not.toThrow();
    expect(problem(() => refuseDisplayDevice(tv, 'POST /orders/{orderId}/make', []))).toMatchObject({
      status: 403,
      code: 'DISPLAY_DEVICE',
    });
    expect(() =>
      refuseDisplayDevice({ userId: 'b', groups: ['NYC.barista'] }, 'POST /orders/{orderId}/make', []),
    ).not.toThrow();
  });
});

describe("callerOf: the ID token's email", () => {
  it('carries the email lowercased, and emailVerified only when the claim says true (text or boolean)', () => {
    expect(callerOf(withClaims({ sub: 'u', email: 'Ana@Example.com', email_verified: 'true' }))).toEqual({
      userId: 'u',
      groups: [],
      email: 'ana@example.com',
      emailVerified: true,
    });
    expect(callerOf(withClaims({ sub: 'u', email: 'a@b.c', email_verified: true }))?.emailVerified).toBe(true);
    for (const verified of ['false', false, undefined])
      expect(callerOf(withClaims({ sub: 'u', email: 'a@b.c', email_verified: verified }))).not.toHaveProperty(
        'emailVerified',
      );
  });
});
