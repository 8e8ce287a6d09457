import { describe, expect, it } from '@jest/globals';
import {
  displaySignIn,
  emailProblem,
  eventGroup,
  eventsOf,
  isDisplayDevice,
  mayAdminister,
  maySeeBoard,
  parseEventGroup,
  rolesAt,
  rolesOf,
  staffRoleAt,
  staffRoleProblem,
} from '../../src/domain/index.js';

describe('per-event roles from Cognito groups', () => {
  it('reads <eventId>.<role> groups and the operator group; ignores anything else', () => {
    expect(eventGroup('NYC', 'barista')).toBe('NYC.barista');
    expect(parseEventGroup('my_event.display')).toEqual({ eventId: 'my_event', role: 'display' });
    expect(parseEventGroup('barista')).toBeUndefined();
    expect(parseEventGroup('NYC.owner')).toBeUndefined();
    expect(parseEventGroup('N-Y.admin')).toBeUndefined();
    expect(rolesOf(['NYC.barista', 'admin', 'NYC.admin', 'LA.barista', 'barista', 'x.y.z'])).toEqual({
      operator: true,
      events: { NYC: ['admin', 'barista'], LA: ['barista'] },
    });
  });

  it('an operator administers every event; staff only theirs', () => {
    const operator = rolesOf(['admin']);
    const nycBarista = rolesOf(['NYC.barista']);
    expect(rolesAt(operator, 'ANY')).toEqual(['admin']);
    expect(mayAdminister(operator, 'ANY')).toBe(true);
    expect(mayAdminister(nycBarista, 'NYC')).toBe(false);
    expect(staffRoleAt(nycBarista, 'NYC')).toBe('barista');
    expect(staffRoleAt(nycBarista, 'LA')).toBeUndefined();
    expect(staffRoleAt(rolesOf(['NYC.admin']), 'NYC')).toBe('admin');
    expect(staffRoleAt(rolesOf(['NYC.display']), 'NYC')).toBeUndefined();
    expect(maySeeBoard(rolesOf(['NYC.display']), 'NYC')).toBe(true);
    expect(maySeeBoard(rolesOf(['NYC.display']), 'LA')).toBe(false);
    expect(isDisplayDevice(rolesOf(['NYC.display']))).toBe(true);
    expect(isDisplayDevice(operator)).toBe(false);
    expect(eventsOf(rolesOf(['NYC.barista', 'BOS.admin']))).toEqual([
      { eventId: 'BOS', roles: ['admin'] },
      { eventId: 'NYC', roles: ['barista'] },
    ]);
  });

  it('checks what the staff routes take', () => {
    expect(emailProblem('ana@example.com')).toBeUndefined();
    expect(emailProblem('ana')).toMatch(/email address/);
    expect(staffRoleProblem('barista')).toBeUndefined();
    expect(staffRoleProblem('display')).toMatch(/admin, barista/);
  });

  it("makes a display device's sign-in from random bytes: an email of .invalid, a password of Cognito's policy", () => {
    const { email, password } = displaySignIn('My_Bar', new Uint8Array(24).fill(7));
    expect(email).toBe('display-07070707@my-bar.display.invalid');
    expect(emailProblem(email)).toBeUndefined();
    expect(password).toMatch(/[A-Z]/);
    expect(password).toMatch(/[a-z]/);
    expect(password).toMatch(/[0-9]/);
    expect(password).toMatch(/[^A-Za-z0-9]/);
    expect(() => displaySignIn('NYC', new Uint8Array(4))).toThrow(RangeError);
  });
});
