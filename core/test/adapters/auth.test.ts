import { describe, expect, it } from '@jest/globals';
import { callerOf, parseGroups, requireGroup, staffActor } from '../../src/adapters/http/auth.js';
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

  it('staff act as baristas, or as admins when only admins', () => {
    expect(staffActor({ userId: 'b', groups: ['barista'] }, 'make')).toEqual({ role: 'barista', userId: 'b' });
    expect(staffActor({ userId: 'b', groups: ['admin', 'barista'] }, 'make')).toEqual({ role: 'barista', userId: 'b' });
    expect(staffActor({ userId: 'a', groups: ['admin'] }, 'make')).toEqual({ role: 'admin', userId: 'a' });
    expect(problem(() => staffActor({ userId: 'c', groups: [] }, 'make an order')).message).toBe(
      'Only members of the barista or admin groups may make an order.',
    );
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
