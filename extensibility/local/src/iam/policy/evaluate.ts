// IAM policy evaluation within one account, as AWS's "Policy evaluation logic" describes it: an
// explicit Deny in any policy wins; else an Allow in an identity policy or in the resource's policy
// (for a principal it names) allows; else the request is implicitly denied. Policies are compiled
// once (wildcards to regular expressions, conditions to closures), so a call costs a few matches.
import { compileCondition, PolicySyntaxError, type CompiledCondition, type ConditionContext } from './conditions.js';
import { globRegExp } from './glob.js';
import { isObject } from '../../json.js';

export { PolicySyntaxError, type ConditionContext } from './conditions.js';

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: unknown;
}

/** Who makes a request: a role's session, or an AWS service (events.amazonaws.com). */
export type Caller = { kind: 'role'; roleArn: string; sessionArn: string } | { kind: 'service'; service: string };

export interface AuthorizationRequest {
  caller: Caller;
  /** `service:Action` as in the service authorization reference. */
  action: string;
  /** The resource's ARN, or `*` for actions without a resource type. */
  resource: string;
  /** Condition keys, lower case (`aws:sourcearn`, `events:source`); aws:PrincipalArn is added from the caller. */
  context?: ConditionContext;
}

export interface CompiledStatement {
  /** Where it comes from: `<policy name>` and the statement's Sid or index, for messages. */
  readonly source: string;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  readonly document: Readonly<Record<string, unknown>>;
  matchesAction(action: string): boolean;
  matchesResource(resource: string): boolean;
  matchesPrincipal(caller: Caller): boolean;
  /**
   * Whether the conditions hold. A condition on an `unknown` key (a value the request has not
   * given yet) holds for an Allow and not for a Deny: the statement is read as "could allow".
   */
  conditionsHold(context: ConditionContext, unknown?: ReadonlySet<string>): boolean;
}

export interface CompiledPolicy {
  readonly name: string;
  readonly statements: readonly CompiledStatement[];
}

export type Decision =
  | { decision: 'Allow'; statement: CompiledStatement; via: 'identity' | 'resource' }
  | { decision: 'ExplicitDeny'; statement: CompiledStatement; via: 'identity' | 'resource' }
  | { decision: 'ImplicitDeny' };

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function strings(v: unknown, where: string): string[] {
  return list(v).map((s) => {
    if (typeof s !== 'string' || s === '')
      throw new PolicySyntaxError(`${where}: must be a non-empty string or a list of them, got ${JSON.stringify(s)}`);
    return s;
  });
}

/** An action pattern (`dynamodb:Get*`, `*`): case-insensitive. */
function actionMatcher(patterns: string[]): (action: string) => boolean {
  if (patterns.includes('*')) return () => true;
  const exact = new Set(patterns.filter((p) => !/[*?]/.test(p)).map((p) => p.toLowerCase()));
  const wild = patterns.filter((p) => /[*?]/.test(p)).map((p) => globRegExp(p, true));
  return (action) => exact.has(action.toLowerCase()) || wild.some((re) => re.test(action));
}

/** A resource pattern: `*`, or an ARN whose segments may hold wildcards (case-sensitive). */
function resourceMatcher(patterns: string[]): (resource: string) => boolean {
  if (patterns.includes('*')) return () => true;
  const exact = new Set(patterns.filter((p) => !/[*?]/.test(p)));
  const wild = patterns.filter((p) => /[*?]/.test(p)).map((p) => globRegExp(p, false));
  return (resource) => exact.has(resource) || wild.some((re) => re.test(resource));
}

function principalMatcher(principal: unknown, where: string): (caller: Caller) => boolean {
  if (principal === '*') return () => true;
  if (!isObject(principal)) throw new PolicySyntaxError(`${where}: Principal must be "*" or an object`);
  const aws = list(principal.AWS).map(String);
  const services = list(principal.Service).map(String);
  return (caller) => {
    if (caller.kind === 'service') return services.includes(caller.service);
    // An account principal delegates to the account's identity policies; it does not name the role.
    return aws.some((p) => p === '*' || p === caller.roleArn || p === caller.sessionArn);
  };
}

const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'NotPrincipal',
  'Condition',
]);

/** Compiles a policy document, throwing PolicySyntaxError naming the statement and element at fault. */
export function compilePolicy(
  name: string,
  document: unknown,
  kind: 'identity' | 'resource' = 'identity',
  check?: (statement: Record<string, unknown>, where: string) => void,
): CompiledPolicy {
  if (!isObject(document) || document.Statement === undefined)
    throw new PolicySyntaxError(`${name}: a policy document needs a Statement`);
  const statements = list(document.Statement).map((raw, i): CompiledStatement => {
    const sid = isObject(raw) && typeof raw.Sid === 'string' ? raw.Sid : undefined;
    const where = `${name}.Statement[${i}]${sid ? ` (${sid})` : ''}`;
    if (!isObject(raw)) throw new PolicySyntaxError(`${where}: a statement must be an object`);
    for (const key of Object.keys(raw))
      if (!STATEMENT_KEYS.has(key)) throw new PolicySyntaxError(`${where}: unknown element ${key}`);
    if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny')
      throw new PolicySyntaxError(`${where}: Effect must be Allow or Deny, got ${JSON.stringify(raw.Effect)}`);
    if ((raw.Action === undefined) === (raw.NotAction === undefined))
      throw new PolicySyntaxError(`${where}: a statement needs exactly one of Action and NotAction`);
    if ((raw.Resource === undefined) === (raw.NotResource === undefined))
      throw new PolicySyntaxError(`${where}: a statement needs exactly one of Resource and NotResource`);
    if (kind === 'identity' && (raw.Principal !== undefined || raw.NotPrincipal !== undefined))
      throw new PolicySyntaxError(`${where}: an identity policy cannot have Principal or NotPrincipal`);
    if (kind === 'resource' && raw.Principal === undefined)
      throw new PolicySyntaxError(`${where}: a resource policy statement needs a Principal`);
    if (raw.NotPrincipal !== undefined) throw new PolicySyntaxError(`${where}: NotPrincipal is not supported locally`);
    check?.(raw, where);
    const notAction = raw.NotAction !== undefined;
    const actions = actionMatcher(strings(notAction ? raw.NotAction : raw.Action, `${where}.Action`));
    const notResource = raw.NotResource !== undefined;
    const resources = resourceMatcher(strings(notResource ? raw.NotResource : raw.Resource, `${where}.Resource`));
    const principal = raw.Principal === undefined ? () => true : principalMatcher(raw.Principal, `${where}.Principal`);
    const conditions: Array<{ key: string; test: CompiledCondition }> = [];
    if (raw.Condition !== undefined) {
      if (!isObject(raw.Condition)) throw new PolicySyntaxError(`${where}: Condition must be an object`);
      for (const [operator, keys] of Object.entries(raw.Condition)) {
        if (!isObject(keys)) throw new PolicySyntaxError(`${where}.Condition.${operator}: must map keys to values`);
        for (const [key, values] of Object.entries(keys))
          conditions.push({
            key: key.toLowerCase(),
            test: compileCondition(operator, key, values, `${where}.Condition`),
          });
      }
    }
    return {
      source: `${name} ${sid ?? `Statement[${i}]`}`,
      sid,
      effect: raw.Effect,
      document: raw,
      matchesAction: notAction ? (a) => !actions(a) : actions,
      matchesResource: notResource ? (r) => !resources(r) : resources,
      matchesPrincipal: principal,
      conditionsHold: (context, unknown) =>
        conditions.every((c) => (unknown?.has(c.key) ? raw.Effect === 'Allow' : c.test(context))),
    };
  });
  return { name, statements };
}

function contextOf(request: AuthorizationRequest): ConditionContext {
  const { caller } = request;
  if (caller.kind !== 'role') return request.context ?? {};
  return { 'aws:principalarn': caller.roleArn, 'aws:userid': caller.sessionArn, ...request.context };
}

const applies = (
  s: CompiledStatement,
  request: AuthorizationRequest,
  context: ConditionContext,
  unknown: ReadonlySet<string> | undefined,
) =>
  s.matchesAction(request.action) &&
  s.matchesResource(request.resource) &&
  s.matchesPrincipal(request.caller) &&
  s.conditionsHold(context, unknown);

export interface EvaluateOptions {
  /**
   * Condition keys (lower case) whose value is left open: the decision says whether some value
   * could be allowed (an Allow conditioned on them allows, a Deny conditioned on them does not
   * deny). PutEvents reads its bus-level permission so, before each entry's source and detail-type.
   */
  unknownKeys?: readonly string[];
}

/** The decision for one request, with the statement that decided it. */
export function evaluate(
  request: AuthorizationRequest,
  identity: readonly CompiledPolicy[],
  resource: readonly CompiledPolicy[] = [],
  options: EvaluateOptions = {},
): Decision {
  const context = contextOf(request);
  const unknown = options.unknownKeys?.length ? new Set(options.unknownKeys.map((k) => k.toLowerCase())) : undefined;
  let allow: Decision | undefined;
  for (const [via, policies] of [
    ['identity', identity],
    ['resource', resource],
  ] as const) {
    for (const policy of policies) {
      for (const s of policy.statements) {
        if (!applies(s, request, context, unknown)) continue;
        if (s.effect === 'Deny') return { decision: 'ExplicitDeny', statement: s, via };
        allow ??= { decision: 'Allow', statement: s, via };
      }
    }
  }
  return allow ?? { decision: 'ImplicitDeny' };
}

/** AWS's AccessDenied text for a role's denied call (the JSON protocols' `message`). */
export function deniedMessage(request: AuthorizationRequest, decision: Decision): string {
  const who = request.caller.kind === 'role' ? request.caller.sessionArn : request.caller.service;
  const why =
    decision.decision === 'ExplicitDeny'
      ? `with an explicit deny in ${decision.via === 'identity' ? 'an identity-based' : 'a resource-based'} policy`
      : // A service principal has no identity policies: only the resource's policy could allow it.
        `no ${request.caller.kind === 'service' ? 'resource-based' : 'identity-based'} policy allows the ${request.action} action`;
  return `User: ${who} is not authorized to perform: ${request.action} on resource: ${request.resource} ${
    decision.decision === 'ExplicitDeny' ? why : `because ${why}`
  }`;
}
