// The users of the local user pools, as Cognito keeps them: sign-up (UNCONFIRMED until the emailed
// code is given back), confirmation, password sign-in, groups, and the admin operations. Pure: no
// I/O; whoever owns a directory persists its snapshot() when onChange fires (users-store.ts).
import { randomBytes, randomInt, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, length: number) => Promise<Buffer>;

export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD';

export interface PoolUser {
  /** Cognito's username: a UUID (the sub) in a pool whose UsernameAttributes is email. */
  username: string;
  sub: string;
  email: string;
  emailVerified: boolean;
  status: UserStatus;
  enabled: boolean;
  /** scrypt, `salt:hash` in hex; never leaves the directory. */
  passwordHash: string;
  groups: string[];
  created: number;
  modified: number;
  /** The pending confirmation code and when it stops being valid (epoch ms). */
  confirmation?: { code: string; expiresAt: number };
  /** The pending password-reset code (ForgotPassword) and when it stops being valid (epoch ms). */
  reset?: { code: string; expiresAt: number };
}

/** Cognito's default password policy; a pool's Policies.PasswordPolicy overrides it. */
export interface PasswordPolicy {
  minimumLength: number;
  requireLowercase: boolean;
  requireUppercase: boolean;
  requireNumbers: boolean;
  requireSymbols: boolean;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minimumLength: 8,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
};

/** A refusal in Cognito's words: its exception name and message, and the form field it concerns. */
export class UserError extends Error {
  constructor(
    readonly code:
      | 'UsernameExistsException'
      | 'UserNotFoundException'
      | 'NotAuthorizedException'
      | 'UserNotConfirmedException'
      | 'CodeMismatchException'
      | 'ExpiredCodeException'
      | 'InvalidPasswordException'
      | 'InvalidParameterException'
      | 'ResourceNotFoundException',
    message: string,
    readonly field?: 'email' | 'password' | 'code',
    /** What the sign-in pages say to a person, when Cognito's message is not plain enough. */
    readonly help?: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** Cognito's confirmation codes are valid for 24 hours, its password-reset codes for 1 hour. */
const CODE_LIFETIME_MS = 24 * 3600_000;
const RESET_CODE_LIFETIME_MS = 3600_000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function passwordProblems(password: string, policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY): string[] {
  const problems: string[] = [];
  if (password.length < policy.minimumLength) problems.push(`at least ${policy.minimumLength} characters`);
  if (policy.requireLowercase && !/[a-z]/.test(password)) problems.push('a lowercase letter');
  if (policy.requireUppercase && !/[A-Z]/.test(password)) problems.push('an uppercase letter');
  if (policy.requireNumbers && !/[0-9]/.test(password)) problems.push('a number');
  if (policy.requireSymbols && !/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+-]/.test(password)) problems.push('a symbol');
  return problems;
}

/** Cognito's words for the first rule a password breaks. */
const COGNITO_POLICY_MESSAGES: Record<string, string> = {
  length: 'Password not long enough',
  'a lowercase letter': 'Password must have lowercase characters',
  'an uppercase letter': 'Password must have uppercase characters',
  'a number': 'Password must have numeric characters',
  'a symbol': 'Password must have symbol characters',
};

const listed = (items: string[]) =>
  items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

function checkPassword(password: string, policy: PasswordPolicy): void {
  const problems = passwordProblems(password, policy);
  if (problems.length > 0) {
    const first = problems[0]!.startsWith('at least') ? 'length' : problems[0]!;
    throw new UserError(
      'InvalidPasswordException',
      `Password did not conform with policy: ${COGNITO_POLICY_MESSAGES[first]}`,
      'password',
      `Your password needs ${listed(problems)}.`,
    );
  }
}

// scrypt runs on libuv's thread pool: a sign-in does not hold the edge's thread for its ~50-100 ms.
async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `${salt.toString('hex')}:${(await scryptAsync(password, salt, 32)).toString('hex')}`;
}

async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [salt, hash] = stored.split(':');
  if (!salt || !hash) return false;
  const given = await scryptAsync(password, Buffer.from(salt, 'hex'), 32);
  return timingSafeEqual(given, Buffer.from(hash, 'hex'));
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export function checkEmail(email: string): string {
  const normalized = normalizeEmail(email);
  if (normalized === '') throw new UserError('InvalidParameterException', 'Enter your email address.', 'email');
  if (!EMAIL.test(normalized))
    throw new UserError(
      'InvalidParameterException',
      'Invalid email address format.',
      'email',
      'Enter an email address like name@example.com.',
    );
  return normalized;
}

export interface UserDirectoryOptions {
  now?: () => number;
  /** Called after every change, with nothing in flight: persist `snapshot()` here. */
  onChange?: () => void;
}

export type UsersSnapshot = Record<string, PoolUser[]>;

export class UserDirectory {
  /** poolId → username → user. */
  private readonly pools = new Map<string, Map<string, PoolUser>>();
  private readonly now: () => number;
  /** `<poolId>/<sub>` of every user who signed in since start (Cognito bills monthly active users). */
  readonly signedIn = new Set<string>();

  constructor(private readonly options: UserDirectoryOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  load(snapshot: UsersSnapshot): void {
    for (const [poolId, users] of Object.entries(snapshot)) {
      const map = this.usersOf(poolId);
      for (const user of users) map.set(user.username, user);
    }
  }

  snapshot(): UsersSnapshot {
    return Object.fromEntries([...this.pools].map(([id, users]) => [id, [...users.values()]]));
  }

  list(poolId: string): PoolUser[] {
    return [...this.usersOf(poolId).values()];
  }

  /** A user by username, sub or email (the pool's alias), or undefined. */
  find(poolId: string, name: string): PoolUser | undefined {
    const users = this.usersOf(poolId);
    const direct = users.get(name);
    if (direct) return direct;
    const email = normalizeEmail(name);
    return [...users.values()].find((u) => u.sub === name || u.email === email);
  }

  get(poolId: string, name: string): PoolUser {
    const user = this.find(poolId, name);
    if (!user) throw new UserError('UserNotFoundException', 'User does not exist.', 'email');
    return user;
  }

  /** SignUp: a new UNCONFIRMED user and the code that confirms it (Cognito emails it; the caller prints it). */
  async signUp(
    poolId: string,
    emailInput: string,
    password: string,
    policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY,
  ): Promise<{ user: PoolUser; code: string }> {
    const email = checkEmail(emailInput);
    if (password === '') throw new UserError('InvalidParameterException', 'Enter a password.', 'password');
    checkPassword(password, policy);
    // Hashed first: from here on nothing awaits, so two sign-ups of one email cannot both pass the check.
    const passwordHash = await hashPassword(password);
    const existing = this.find(poolId, email);
    if (existing && existing.status !== 'UNCONFIRMED')
      throw new UserError(
        'UsernameExistsException',
        'An account with the given email already exists.',
        'email',
        'An account with this email already exists: sign in instead.',
      );
    // Signing up again before confirming replaces the unconfirmed user, as Cognito allows.
    if (existing) this.usersOf(poolId).delete(existing.username);
    const sub = randomUUID();
    const now = this.now();
    const user: PoolUser = {
      username: sub,
      sub,
      email,
      emailVerified: false,
      status: 'UNCONFIRMED',
      enabled: true,
      passwordHash,
      groups: [],
      created: now,
      modified: now,
    };
    this.usersOf(poolId).set(user.username, user);
    const code = this.newCode(user);
    this.changed();
    return { user, code };
  }

  /** ResendConfirmationCode: a fresh code for an unconfirmed user. */
  resendCode(poolId: string, email: string): { user: PoolUser; code: string } {
    const user = this.get(poolId, email);
    if (user.status !== 'UNCONFIRMED')
      throw new UserError(
        'InvalidParameterException',
        'User is already confirmed.',
        'email',
        'This account is already confirmed: sign in.',
      );
    const code = this.newCode(user);
    this.changed();
    return { user, code };
  }

  /** ConfirmSignUp with the emailed code. */
  confirm(poolId: string, email: string, code: string): PoolUser {
    const user = this.get(poolId, email);
    if (user.status !== 'UNCONFIRMED') return user;
    const pending = user.confirmation;
    if (!/^\d{6}$/.test(code.trim()))
      throw new UserError(
        'CodeMismatchException',
        'Invalid verification code provided, please try again.',
        'code',
        'Enter the 6 digits of the code we sent to your email.',
      );
    if (!pending || pending.code !== code.trim())
      throw new UserError(
        'CodeMismatchException',
        'Invalid verification code provided, please try again.',
        'code',
        'That code is not right. Enter the code from the latest email, or send a new one.',
      );
    if (pending.expiresAt <= this.now())
      throw new UserError(
        'ExpiredCodeException',
        'Invalid code provided, please request a code again.',
        'code',
        'That code has expired: send a new one.',
      );
    user.status = 'CONFIRMED';
    user.emailVerified = true;
    delete user.confirmation;
    user.modified = this.now();
    this.changed();
    return user;
  }

  /** AdminConfirmSignUp: confirmed without the code (the email is not marked verified). */
  confirmWithoutCode(poolId: string, name: string): PoolUser {
    const user = this.get(poolId, name);
    user.status = 'CONFIRMED';
    delete user.confirmation;
    user.modified = this.now();
    this.changed();
    return user;
  }

  /** Password sign-in. Cognito answers an unknown user and a wrong password alike (user existence errors prevented). */
  async authenticate(poolId: string, emailInput: string, password: string): Promise<PoolUser> {
    const email = checkEmail(emailInput);
    if (password === '') throw new UserError('InvalidParameterException', 'Enter your password.', 'password');
    const user = this.find(poolId, email);
    if (!user || !(await passwordMatches(password, user.passwordHash)))
      throw new UserError(
        'NotAuthorizedException',
        'Incorrect username or password.',
        'password',
        'Incorrect email or password.',
      );
    if (!user.enabled) throw new UserError('NotAuthorizedException', 'User is disabled.', 'email');
    if (user.status === 'UNCONFIRMED')
      throw new UserError('UserNotConfirmedException', 'User is not confirmed.', 'code');
    this.signedIn.add(`${poolId}/${user.sub}`);
    return user;
  }

  /** Sets a new password (the FORCE_CHANGE_PASSWORD challenge, AdminSetUserPassword). */
  async setPassword(
    poolId: string,
    name: string,
    password: string,
    policy: PasswordPolicy,
    permanent = true,
  ): Promise<PoolUser> {
    const user = this.get(poolId, name);
    checkPassword(password, policy);
    user.passwordHash = await hashPassword(password);
    user.status = permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
    user.modified = this.now();
    this.changed();
    return user;
  }

  /** AdminCreateUser: a user who signs in with the temporary password and must then choose one. */
  async adminCreate(
    poolId: string,
    emailInput: string,
    options: { temporaryPassword: string; emailVerified?: boolean; policy?: PasswordPolicy },
  ): Promise<PoolUser> {
    const email = checkEmail(emailInput);
    checkPassword(options.temporaryPassword, options.policy ?? DEFAULT_PASSWORD_POLICY);
    const passwordHash = await hashPassword(options.temporaryPassword);
    if (this.find(poolId, email))
      throw new UserError('UsernameExistsException', 'An account with the given email already exists.', 'email');
    const sub = randomUUID();
    const now = this.now();
    const user: PoolUser = {
      username: sub,
      sub,
      email,
      emailVerified: options.emailVerified ?? false,
      status: 'FORCE_CHANGE_PASSWORD',
      enabled: true,
      passwordHash,
      groups: [],
      created: now,
      modified: now,
    };
    this.usersOf(poolId).set(user.username, user);
    this.changed();
    return user;
  }

  /**
   * ForgotPassword: a reset code for a confirmed user, or undefined for anyone else (the caller
   * answers alike, so the page tells nobody who has an account).
   */
  forgotPassword(poolId: string, emailInput: string): { user: PoolUser; code: string } | undefined {
    const email = checkEmail(emailInput);
    const user = this.find(poolId, email);
    if (!user || !user.enabled || user.status === 'UNCONFIRMED') return undefined;
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    user.reset = { code, expiresAt: this.now() + RESET_CODE_LIFETIME_MS };
    this.changed();
    return { user, code };
  }

  /** ConfirmForgotPassword: the reset code and a new password; the user is CONFIRMED with it. */
  async confirmForgotPassword(
    poolId: string,
    emailInput: string,
    code: string,
    password: string,
    policy: PasswordPolicy,
  ): Promise<PoolUser> {
    const email = checkEmail(emailInput);
    checkPassword(password, policy);
    const passwordHash = await hashPassword(password);
    const user = this.find(poolId, email);
    const pending = user?.reset;
    if (!user || !pending || pending.code !== code.trim())
      throw new UserError(
        'CodeMismatchException',
        'Invalid verification code provided, please try again.',
        'code',
        'That code is not right. Enter the code from the latest email, or ask for a new one.',
      );
    if (pending.expiresAt <= this.now())
      throw new UserError(
        'ExpiredCodeException',
        'Invalid code provided, please request a code again.',
        'code',
        'That code has expired: ask for a new one.',
      );
    user.passwordHash = passwordHash;
    user.status = 'CONFIRMED';
    delete user.reset;
    user.modified = this.now();
    this.changed();
    return user;
  }

  /** AdminDisableUser / AdminEnableUser: a disabled user cannot sign in or refresh (NotAuthorizedException "User is disabled."). */
  setEnabled(poolId: string, name: string, enabled: boolean): PoolUser {
    const user = this.get(poolId, name);
    if (user.enabled !== enabled) {
      user.enabled = enabled;
      user.modified = this.now();
      this.changed();
    }
    return user;
  }

  delete(poolId: string, name: string): void {
    const user = this.get(poolId, name);
    this.usersOf(poolId).delete(user.username);
    this.changed();
  }

  addToGroup(poolId: string, name: string, group: string): PoolUser {
    const user = this.get(poolId, name);
    if (!user.groups.includes(group)) {
      user.groups = [...user.groups, group];
      user.modified = this.now();
      this.changed();
    }
    return user;
  }

  removeFromGroup(poolId: string, name: string, group: string): PoolUser {
    const user = this.get(poolId, name);
    if (user.groups.includes(group)) {
      user.groups = user.groups.filter((g) => g !== group);
      user.modified = this.now();
      this.changed();
    }
    return user;
  }

  private newCode(user: PoolUser): string {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    user.confirmation = { code, expiresAt: this.now() + CODE_LIFETIME_MS };
    return code;
  }

  private usersOf(poolId: string): Map<string, PoolUser> {
    let users = this.pools.get(poolId);
    if (!users) this.pools.set(poolId, (users = new Map()));
    return users;
  }

  private changed(): void {
    this.options.onChange?.();
  }
}
