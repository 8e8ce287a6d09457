// AWS::IAM::Role and AWS::IAM::Policy: roles a template defines itself (a function's or state
// machine's `Role`), with their inline Policies and the managed policies known locally, and policies
// attached to them. A policy naming an unknown action or ARN fails the deploy, as for SAM's roles.
import { InvalidPolicyError, type Iam, type RolePolicy } from '../../iam/iam.js';
import { MANAGED_POLICIES } from '../../iam/sam/expand.js';
import { isObject } from '../../json.js';
import type { LoadedResource } from '../template/index.js';
import { DeployError, type DeployContext, type ResourceHandler } from '../model.js';

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function inlinePolicies(resource: LoadedResource, ctx: DeployContext, property: string): RolePolicy[] {
  return list(resource.properties[property]).map((p, i) => {
    if (!isObject(p) || !isObject(p.PolicyDocument))
      throw new DeployError(ctx.template.file, resource.logicalId, `${property}[${i}]`, 'needs a PolicyDocument');
    return { name: `${resource.logicalId}.${property}[${i}] (${String(p.PolicyName)})`, document: p.PolicyDocument };
  });
}

function managedPolicies(resource: LoadedResource, ctx: DeployContext): RolePolicy[] {
  return list(resource.properties.ManagedPolicyArns).map((arn, i) => {
    const name = String(arn).replace(/^arn:[^:]+:iam::aws:policy\/(service-role\/)?/, '');
    const document = MANAGED_POLICIES[name];
    if (!document)
      throw new DeployError(
        ctx.template.file,
        resource.logicalId,
        `ManagedPolicyArns[${i}]`,
        `the managed policy ${String(arn)} is not known locally (known: ${Object.keys(MANAGED_POLICIES).join(', ')}); write its statements in Policies`,
      );
    return { name, document };
  });
}

const invalid = (e: unknown, resource: LoadedResource, ctx: DeployContext, property: string) => {
  if (e instanceof InvalidPolicyError)
    return new DeployError(ctx.template.file, resource.logicalId, property, e.message);
  return e;
};

/** The role's name from a role ARN (`arn:aws:iam::<account>:role/<path/>name`), or the value when it is a name. */
export const roleNameOf = (value: string) => value.slice(value.lastIndexOf('/') + 1);

/**
 * The service principals a trust policy lets assume the role (Allow statements with `sts:AssumeRole`,
 * `sts:*` or `*`), or undefined when the role has no AssumeRolePolicyDocument to read.
 */
export function trustedServices(document: unknown): string[] | undefined {
  const doc = typeof document === 'string' ? (JSON.parse(document) as unknown) : document;
  if (!isObject(doc)) return undefined;
  const services: string[] = [];
  for (const statement of list(doc.Statement)) {
    if (!isObject(statement) || statement.Effect !== 'Allow') continue;
    const actions = list(statement.Action).map(String);
    if (!actions.some((a) => a === '*' || a === 'sts:*' || a.toLowerCase() === 'sts:assumerole')) continue;
    const principal = statement.Principal;
    if (isObject(principal)) services.push(...list(principal.Service).map(String));
  }
  return services;
}

export function iamRoleHandler(iam: Iam): ResourceHandler {
  const put = (resource: LoadedResource, ctx: DeployContext) => {
    try {
      iam.putRole({
        roleName: resource.physicalId,
        sessionName: resource.physicalId,
        stack: ctx.template.stackName,
        logicalId: resource.logicalId,
        policies: [...inlinePolicies(resource, ctx, 'Policies'), ...managedPolicies(resource, ctx)],
        ...(resource.properties.AssumeRolePolicyDocument !== undefined
          ? { trustedServices: trustedServices(resource.properties.AssumeRolePolicyDocument) ?? [] }
          : {}),
      });
    } catch (e) {
      throw invalid(e, resource, ctx, 'Policies');
    }
  };
  const create: ResourceHandler = (resource, ctx) => {
    put(resource, ctx);
    ctx.onDelete(() => iam.deleteRole(resource.physicalId));
    return Promise.resolve();
  };
  return Object.assign(create, {
    update: (resource: LoadedResource, _previous: LoadedResource, ctx: DeployContext) => {
      put(resource, ctx);
      return Promise.resolve();
    },
  });
}

export function iamPolicyHandler(iam: Iam): ResourceHandler {
  return (resource, ctx) => {
    const name = `${ctx.template.stackName}/${resource.logicalId}`;
    const document = resource.properties.PolicyDocument;
    if (!isObject(document))
      throw new DeployError(ctx.template.file, resource.logicalId, 'PolicyDocument', 'is required');
    const roles = list(resource.properties.Roles).map((r) => roleNameOf(String(r)));
    for (const role of roles) {
      try {
        const attached = iam.attachPolicy(role, name, [
          { name: `${resource.logicalId} (${String(resource.properties.PolicyName)})`, document },
        ]);
        if (!attached)
          ctx.log(
            `[iam] ${ctx.template.stackName}: ${resource.logicalId}: role ${role} is not defined locally; the policy is not attached`,
          );
      } catch (e) {
        throw invalid(e, resource, ctx, 'PolicyDocument');
      }
    }
    ctx.onDelete(() => {
      for (const role of roles) iam.attachPolicy(role, name);
    });
    return Promise.resolve();
  };
}

/** The principal element of a Lambda permission: a service, an account or an ARN. */
function principalOf(principal: string): Record<string, string> | '*' {
  if (principal === '*') return '*';
  if (principal.endsWith('.amazonaws.com')) return { Service: principal };
  return { AWS: /^\d{12}$/.test(principal) ? `arn:aws:iam::${principal}:root` : principal };
}

/**
 * AWS::Lambda::Permission: a statement of the function's resource policy, as AddPermission writes
 * it (the source ARN and account as conditions). It allows the roles it names to invoke the
 * function through the edge, and the services (rules, API routes) that deliver to it.
 */
export function lambdaPermissionHandler(iam: Iam, account: { region: string; accountId: string }): ResourceHandler {
  return (resource, ctx) => {
    const p = resource.properties;
    const fn = String(p.FunctionName ?? '');
    const arn = fn.startsWith('arn:') ? fn : `arn:aws:lambda:${account.region}:${account.accountId}:function:${fn}`;
    const condition: Record<string, Record<string, string>> = {};
    if (typeof p.SourceArn === 'string') condition.ArnLike = { 'AWS:SourceArn': p.SourceArn };
    if (typeof p.SourceAccount === 'string') condition.StringEquals = { 'AWS:SourceAccount': p.SourceAccount };
    const statement = {
      Sid: resource.logicalId,
      Effect: 'Allow',
      Principal: principalOf(String(p.Principal ?? '')),
      Action: String(p.Action ?? ''),
      Resource: arn,
      ...(Object.keys(condition).length ? { Condition: condition } : {}),
    };
    const name = `${ctx.template.stackName}/${resource.logicalId}`;
    try {
      iam.putResourcePolicy(arn, name, [statement]);
    } catch (e) {
      throw invalid(e, resource, ctx, 'Action');
    }
    ctx.onDelete(() => iam.putResourcePolicy(arn, name, undefined));
    return Promise.resolve();
  };
}

/** AWS::Events::EventBusPolicy: a statement of the bus's resource policy (PutEvents by the roles it names). */
export function eventBusPolicyHandler(iam: Iam, account: { region: string; accountId: string }): ResourceHandler {
  return (resource, ctx) => {
    const p = resource.properties;
    const bus = String(p.EventBusName ?? 'default');
    const arn = bus.startsWith('arn:') ? bus : `arn:aws:events:${account.region}:${account.accountId}:event-bus/${bus}`;
    const statement = isObject(p.Statement)
      ? { Sid: String(p.StatementId ?? resource.logicalId), ...p.Statement }
      : {
          Sid: String(p.StatementId ?? resource.logicalId),
          Effect: 'Allow',
          Principal: principalOf(String(p.Principal ?? '')),
          Action: String(p.Action ?? 'events:PutEvents'),
          Resource: arn,
          ...(isObject(p.Condition) ? { Condition: p.Condition } : {}),
        };
    const name = `${ctx.template.stackName}/${resource.logicalId}`;
    try {
      iam.putResourcePolicy(arn, name, [statement]);
    } catch (e) {
      throw invalid(e, resource, ctx, 'Statement');
    }
    ctx.onDelete(() => iam.putResourcePolicy(arn, name, undefined));
    return Promise.resolve();
  };
}
