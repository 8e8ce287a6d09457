// SAM's Policies property turned into the policy documents SAM attaches to the role it generates:
// policy templates expanded from SAM's own policy_templates.json (vendored unchanged, Apache-2.0,
// see LICENSE.policy_templates), inline documents as written, and AWS managed policies by name.
import { readFileSync } from 'node:fs';
import { isObject } from '../../json.js';
import type { SamPolicy } from '../../stacks/template/index.js';

interface PolicyTemplate {
  Definition: { Statement: unknown };
  Parameters: Record<string, unknown>;
}

let templates: Record<string, PolicyTemplate> | undefined;
function policyTemplates(): Record<string, PolicyTemplate> {
  templates ??= (
    JSON.parse(readFileSync(new URL('./policy_templates.json', import.meta.url), 'utf8')) as {
      Templates: Record<string, PolicyTemplate>;
    }
  ).Templates;
  return templates;
}

/**
 * The AWS managed policies SAM attaches (AWSLambdaBasicExecutionRole to every function's role,
 * AWSLambdaDynamoDBExecutionRole for a DynamoDB event), and the few an app names, as AWS publishes them.
 */
export const MANAGED_POLICIES: Readonly<Record<string, { Statement: unknown[] }>> = {
  AWSLambdaBasicExecutionRole: {
    Statement: [
      { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' },
    ],
  },
  AWSLambdaDynamoDBExecutionRole: {
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
        ],
        Resource: '*',
      },
    ],
  },
  AWSLambdaRole: { Statement: [{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: ['*'] }] },
  AWSXrayWriteOnlyAccess: {
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
          'xray:GetSamplingStatisticSummaries',
        ],
        Resource: ['*'],
      },
    ],
  },
};

export class PolicyExpansionError extends Error {}

export interface Where {
  region: string;
  accountId: string;
  partition?: string;
}

/** Evaluates the intrinsics SAM's templates use (Ref to a parameter, Fn::Sub with a variable map). */
function evaluate(node: unknown, parameters: Record<string, unknown>, where: Where, at: string): unknown {
  if (Array.isArray(node)) return node.map((n) => evaluate(n, parameters, where, at));
  if (!isObject(node)) return node;
  if ('Ref' in node && Object.keys(node).length === 1) {
    const name = String(node.Ref);
    if (!(name in parameters)) throw new PolicyExpansionError(`${at}: parameter ${name} is required`);
    return parameters[name];
  }
  if ('Fn::Sub' in node && Object.keys(node).length === 1) {
    const arg = node['Fn::Sub'];
    const [text, vars] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, {}];
    const values = isObject(vars) ? (evaluate(vars, parameters, where, at) as Record<string, unknown>) : {};
    const pseudo: Record<string, string> = {
      'AWS::Partition': where.partition ?? 'aws',
      'AWS::Region': where.region,
      'AWS::AccountId': where.accountId,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    return String(text).replace(/\$\{([\w:.]+)\}/g, (_, name: string) => {
      const value = values[name] ?? pseudo[name] ?? parameters[name];
      if (value === undefined) throw new PolicyExpansionError(`${at}: no value for \${${name}}`);
      return String(value);
    });
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, evaluate(v, parameters, where, at)]));
}

/** One SAM policy item as a named policy document; `at` names it in errors (Resources.Fn.Properties.Policies[0]). */
export function expandSamPolicy(
  policy: SamPolicy,
  where: Where,
  at: string,
): { name: string; document: { Statement: unknown } } {
  if (policy.kind === 'document') return { name: at, document: policy.document as { Statement: unknown } };
  if (policy.kind === 'managed') {
    const name = policy.policy.replace(/^arn:[^:]+:iam::aws:policy\/(service-role\/)?/, '');
    const managed = MANAGED_POLICIES[name];
    if (!managed)
      throw new PolicyExpansionError(
        `${at}: the managed policy ${policy.policy} is not known locally (known: ${Object.keys(MANAGED_POLICIES).join(', ')}); write its statements inline`,
      );
    return { name: `${at} (${name})`, document: managed };
  }
  const template = policyTemplates()[policy.template];
  if (!template)
    throw new PolicyExpansionError(
      `${at}: ${policy.template} is not a SAM policy template (see SAM's policy_templates.json)`,
    );
  for (const name of Object.keys(template.Parameters))
    if (policy.parameters[name] === undefined)
      throw new PolicyExpansionError(`${at}.${policy.template}: parameter ${name} is required`);
  const document = evaluate(template.Definition, policy.parameters, where, `${at}.${policy.template}`) as {
    Statement: unknown;
  };
  return { name: `${at} (${policy.template})`, document };
}
