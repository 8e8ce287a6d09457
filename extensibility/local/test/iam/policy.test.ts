// Policy evaluation against a table of cases with the outcome AWS gives them (allow, explicit deny,
// implicit deny) and why, per "Policy evaluation logic" and the condition operator reference.
import { describe, expect, test } from '@jest/globals';
import {
  compilePolicy,
  deniedMessage,
  evaluate,
  PolicySyntaxError,
  type Caller,
  type ConditionContext,
} from '../../src/iam/policy/evaluate.js';

const ROLE = 'arn:aws:iam::123456789012:role/app-OrdersFnRole-ABC';
const SESSION = 'arn:aws:sts::123456789012:assumed-role/app-OrdersFnRole-ABC/app-OrdersFn';
const role: Caller = { kind: 'role', roleArn: ROLE, sessionArn: SESSION };
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/Orders';
const BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/Serverlesspresso';

interface Case {
  name: string;
  statements: unknown[];
  action: string;
  resource: string;
  context?: Record<string, string | string[] | boolean | number>;
  caller?: Caller;
  resourcePolicy?: unknown[];
  expected: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  because: string;
}

const allowAll = { Effect: 'Allow', Action: '*', Resource: '*' };

const cases: Case[] = [
  {
    name: 'exact action and resource',
    statements: [{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: TABLE }],
    action: 'dynamodb:PutItem',
    resource: TABLE,
    expected: 'Allow',
    because: 'an identity statement names both',
  },
  {
    name: 'no statement matches',
    statements: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE }],
    action: 'dynamodb:PutItem',
    resource: TABLE,
    expected: 'ImplicitDeny',
    because: 'nothing allows it: denied by default',
  },
  {
    name: 'action names are case-insensitive',
    statements: [{ Effect: 'Allow', Action: 'DynamoDB:putitem', Resource: TABLE }],
    action: 'dynamodb:PutItem',
    resource: TABLE,
    expected: 'Allow',
    because: 'IAM compares actions without case',
  },
  {
    name: 'resource ARNs are case-sensitive',
    statements: [{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: TABLE.toLowerCase() }],
    action: 'dynamodb:PutItem',
    resource: TABLE,
    expected: 'ImplicitDeny',
    because: 'table/orders is not table/Orders',
  },
  {
    name: 'action wildcard',
    statements: [{ Effect: 'Allow', Action: 'dynamodb:*Item', Resource: TABLE }],
    action: 'dynamodb:UpdateItem',
    resource: TABLE,
    expected: 'Allow',
    because: '* matches Update',
  },
  {
    name: '? matches exactly one character',
    statements: [
      { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/Order?' },
    ],
    action: 'dynamodb:PutItem',
    resource: TABLE,
    expected: 'Allow',
    because: '? stands for the s',
  },
  {
    name: 'index wildcard does not cover the table',
    statements: [{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: `${TABLE}/index/*` }],
    action: 'dynamodb:Query',
    resource: TABLE,
    expected: 'ImplicitDeny',
    because: 'table/Orders/index/* needs the /index/ part',
  },
  {
    name: 'explicit deny over allow',
    statements: [allowAll, { Effect: 'Deny', Action: 'dynamodb:DeleteItem', Resource: TABLE }],
    action: 'dynamodb:DeleteItem',
    resource: TABLE,
    expected: 'ExplicitDeny',
    because: 'a Deny that applies wins whatever allows',
  },
  {
    name: 'NotAction allows everything else',
    statements: [{ Effect: 'Allow', NotAction: 'dynamodb:DeleteItem', Resource: '*' }],
    action: 'dynamodb:GetItem',
    resource: TABLE,
    expected: 'Allow',
    because: 'GetItem is not the excluded action',
  },
  {
    name: 'NotAction does not allow the excluded action',
    statements: [{ Effect: 'Allow', NotAction: 'dynamodb:Delete*', Resource: '*' }],
    action: 'dynamodb:DeleteItem',
    resource: TABLE,
    expected: 'ImplicitDeny',
    because: 'NotAction is not a deny: DeleteItem is just not allowed',
  },
  {
    name: 'Deny with NotResource',
    statements: [allowAll, { Effect: 'Deny', Action: 'dynamodb:*', NotResource: TABLE }],
    action: 'dynamodb:PutItem',
    resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/Other',
    expected: 'ExplicitDeny',
    because: 'every table but Orders is denied',
  },
  {
    name: 'StringEquals on events:source',
    statements: [
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: BUS,
        Condition: { StringEquals: { 'events:source': 'app.orders' } },
      },
    ],
    action: 'events:PutEvents',
    resource: BUS,
    context: { 'events:source': 'app.orders' },
    expected: 'Allow',
    because: 'the source is the one allowed',
  },
  {
    name: 'StringEquals with a missing key',
    statements: [
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: BUS,
        Condition: { StringEquals: { 'events:source': 'app.orders' } },
      },
    ],
    action: 'events:PutEvents',
    resource: BUS,
    expected: 'ImplicitDeny',
    because: 'a key missing from the request makes a condition false',
  },
  {
    name: 'StringEqualsIfExists with a missing key',
    statements: [
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: BUS,
        Condition: { StringEqualsIfExists: { 'events:source': 'app.orders' } },
      },
    ],
    action: 'events:PutEvents',
    resource: BUS,
    expected: 'Allow',
    because: 'IfExists holds when the key is absent',
  },
  {
    name: 'StringNotEquals with a missing key',
    statements: [
      allowAll,
      {
        Effect: 'Deny',
        Action: 'events:PutEvents',
        Resource: '*',
        Condition: { StringNotEquals: { 'events:source': 'x' } },
      },
    ],
    action: 'events:PutEvents',
    resource: BUS,
    expected: 'ExplicitDeny',
    because: 'a negated operator holds when the key is absent',
  },
  {
    name: 'StringLike, values OR',
    statements: [
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: BUS,
        Condition: { StringLike: { 'events:detail-type': ['Order*', 'Menu changed'] } },
      },
    ],
    action: 'events:PutEvents',
    resource: BUS,
    context: { 'events:detail-type': 'OrderProcessor.orderStarted' },
    expected: 'Allow',
    because: 'one of the values matches',
  },
  {
    name: 'StringNotLike, values NOR',
    statements: [
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: BUS,
        Condition: { StringNotLike: { 'events:detail-type': ['Order*', 'Menu*'] } },
      },
    ],
    action: 'events:PutEvents',
    resource: BUS,
    context: { 'events:detail-type': 'Menu changed' },
    expected: 'ImplicitDeny',
    because: 'the value is like one of them',
  },
  {
    name: 'keys AND',
    statements: [
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: BUS,
        Condition: { StringEquals: { 'events:source': 'a', 'events:detail-type': 'b' } },
      },
    ],
    action: 'events:PutEvents',
    resource: BUS,
    context: { 'events:source': 'a', 'events:detail-type': 'c' },
    expected: 'ImplicitDeny',
    because: 'every key must hold',
  },
  {
    name: 'ForAllValues on dynamodb:LeadingKeys',
    statements: [
      {
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: TABLE,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['user-*'] } },
      },
    ],
    action: 'dynamodb:GetItem',
    resource: TABLE,
    context: { 'dynamodb:LeadingKeys': ['user-1', 'admin'] },
    expected: 'ImplicitDeny',
    because: 'admin is not like user-*',
  },
  {
    name: 'ForAllValues with no values holds',
    statements: [
      {
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: TABLE,
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk'] } },
      },
    ],
    action: 'dynamodb:PutItem',
    resource: TABLE,
    expected: 'Allow',
    because: 'ForAllValues over an absent key is true',
  },
  {
    name: 'ForAnyValue with no values fails',
    statements: [
      {
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: TABLE,
        Condition: { 'ForAnyValue:StringEquals': { 'dynamodb:Attributes': ['pk'] } },
      },
    ],
    action: 'dynamodb:PutItem',
    resource: TABLE,
    expected: 'ImplicitDeny',
    because: 'ForAnyValue over an absent key is false',
  },
  {
    name: 'ArnLike on aws:SourceArn, segment wildcards',
    resourcePolicy: [
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
        Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:events:*:123456789012:rule/Serverlesspresso/*' } },
      },
    ],
    statements: [],
    caller: { kind: 'service', service: 'events.amazonaws.com' },
    action: 'lambda:InvokeFunction',
    resource: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
    context: { 'aws:SourceArn': 'arn:aws:events:us-east-1:123456789012:rule/Serverlesspresso/r1' },
    expected: 'Allow',
    because: 'the resource policy names the service and the rule matches',
  },
  {
    name: 'a resource policy for another service',
    resourcePolicy: [
      {
        Effect: 'Allow',
        Principal: { Service: 'apigateway.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: '*',
      },
    ],
    statements: [],
    caller: { kind: 'service', service: 'events.amazonaws.com' },
    action: 'lambda:InvokeFunction',
    resource: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
    expected: 'ImplicitDeny',
    because: 'the principal is not the caller',
  },
  {
    name: 'a resource policy naming the role allows without an identity policy',
    resourcePolicy: [{ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'events:PutEvents', Resource: BUS }],
    statements: [],
    action: 'events:PutEvents',
    resource: BUS,
    expected: 'Allow',
    because: 'within one account either policy type can allow',
  },
  {
    name: 'a resource policy deny wins over an identity allow',
    resourcePolicy: [{ Effect: 'Deny', Principal: '*', Action: 'events:PutEvents', Resource: BUS }],
    statements: [allowAll],
    action: 'events:PutEvents',
    resource: BUS,
    expected: 'ExplicitDeny',
    because: 'an explicit deny anywhere wins',
  },
  {
    name: 'aws:PrincipalArn comes from the caller',
    statements: [
      allowAll,
      { Effect: 'Deny', Action: '*', Resource: '*', Condition: { ArnNotEquals: { 'aws:PrincipalArn': ROLE } } },
    ],
    action: 'events:PutEvents',
    resource: BUS,
    expected: 'Allow',
    because: 'the principal is the role, so the deny does not apply',
  },
  {
    name: 'Bool',
    statements: [
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: BUS,
        Condition: { Bool: { 'events:eventBusInvocation': 'true' } },
      },
    ],
    action: 'events:PutEvents',
    resource: BUS,
    context: { 'events:eventBusInvocation': false },
    expected: 'ImplicitDeny',
    because: 'false is not true',
  },
  {
    name: 'Null: true means absent',
    statements: [
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS, Condition: { Null: { 'events:source': 'true' } } },
    ],
    action: 'events:PutEvents',
    resource: BUS,
    expected: 'Allow',
    because: 'the key is absent',
  },
  {
    name: 'NumericLessThan',
    statements: [
      {
        Effect: 'Allow',
        Action: 'scheduler:CreateSchedule',
        Resource: '*',
        Condition: { NumericLessThan: { 'x:n': 10 } },
      },
    ],
    action: 'scheduler:CreateSchedule',
    resource: '*',
    context: { 'x:n': 12 },
    expected: 'ImplicitDeny',
    because: '12 is not under 10',
  },
  {
    name: 'NumericGreaterThanEquals',
    statements: [
      {
        Effect: 'Allow',
        Action: 'scheduler:CreateSchedule',
        Resource: '*',
        Condition: { NumericGreaterThanEquals: { 'x:n': '10' } },
      },
    ],
    action: 'scheduler:CreateSchedule',
    resource: '*',
    context: { 'x:n': 10 },
    expected: 'Allow',
    because: '10 >= 10',
  },
];

describe('policy evaluation', () => {
  test.each(cases)('$name: $expected ($because)', (c) => {
    const identity = c.statements.length ? [compilePolicy('Identity', { Statement: c.statements })] : [];
    const resource = c.resourcePolicy ? [compilePolicy('Resource', { Statement: c.resourcePolicy }, 'resource')] : [];
    const context: ConditionContext = Object.fromEntries(
      Object.entries(c.context ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const decision = evaluate(
      { caller: c.caller ?? role, action: c.action, resource: c.resource, context },
      identity,
      resource,
    );
    expect(decision.decision).toBe(c.expected);
  });

  test('the denial names the session, action and resource as AWS does', () => {
    const request = { caller: role, action: 'dynamodb:PutItem', resource: TABLE };
    const identity = [
      compilePolicy('Role', { Statement: [{ Sid: 'NoDelete', Effect: 'Deny', Action: '*', Resource: '*' }] }),
    ];
    const denied = evaluate(request, identity);
    expect(denied.decision === 'ExplicitDeny' && denied.statement.source).toBe('Role NoDelete');
    expect(deniedMessage(request, denied)).toBe(
      `User: ${SESSION} is not authorized to perform: dynamodb:PutItem on resource: ${TABLE} with an explicit deny in an identity-based policy`,
    );
    expect(deniedMessage(request, { decision: 'ImplicitDeny' })).toBe(
      `User: ${SESSION} is not authorized to perform: dynamodb:PutItem on resource: ${TABLE} because no identity-based policy allows the dynamodb:PutItem action`,
    );
  });

  test.each([
    [{ Statement: [{ Effect: 'Permit', Action: '*', Resource: '*' }] }, /Effect must be Allow or Deny/],
    [{ Statement: [{ Effect: 'Allow', Resource: '*' }] }, /exactly one of Action and NotAction/],
    [
      { Statement: [{ Effect: 'Allow', Action: 'a:b', Resource: '*', Condition: { StringEqual: { k: 'v' } } }] },
      /unknown condition operator StringEqual/,
    ],
    [
      { Statement: [{ Effect: 'Allow', Action: 'a:b', Resource: '*', Principal: '*' }] },
      /identity policy cannot have Principal/,
    ],
  ])('a malformed policy is refused naming the statement: %j', (document, message) => {
    expect(() => compilePolicy('P', document)).toThrow(PolicySyntaxError);
    expect(() => compilePolicy('P', document)).toThrow(message);
  });
});
