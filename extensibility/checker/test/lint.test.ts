// presso lint: every template of the repo deploys on AWS as far as CloudFormation's registry schemas
// and IAM's service authorization reference can tell (warnings only waived with a reason), and a
// fixture with one error of each class gets that error, naming file, resource, property and fix.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '@serverlesspresso/catalog/page';
import {
  appsIn,
  CHECKS,
  deployableApps,
  formatLint,
  lintApp,
  loadLintSpec,
  type CheckId,
  type LintReport,
  type LintSpec,
} from '../src/index.js';
import { patternsMeet } from '../src/lint/iam.js';

const fixtures = new URL('./fixtures/lint/', import.meta.url).pathname;
let spec: LintSpec;
beforeAll(async () => {
  spec = await loadLintSpec();
}, 60_000);

const lint = (name: string): LintReport => lintApp(appsIn([join(fixtures, name)], fixtures)[0]!, spec);
const finding = (id: CheckId, resource: string, property: string, message: string, fix: string) =>
  expect.objectContaining({
    id,
    file: expect.stringMatching(/template\.yaml$/),
    resource,
    property,
    message: expect.stringContaining(message),
    fix: expect.stringContaining(fix),
  });

describe('the repo', () => {
  const apps = deployableApps(REPO_ROOT);

  it('has every app of the repo and the web apps to lint', () => {
    expect(apps.map((a) => a.path)).toEqual(
      expect.arrayContaining([
        'core/template.yaml',
        'extensibility/EventPlayer/template.yaml',
        'frontends/template.yaml',
      ]),
    );
  });

  it.each(apps.map((a) => [a.path, a] as const))('%s lints clean, warnings waived only with a reason', (_, app) => {
    const report = lintApp(app, spec);
    expect([...report.errors, ...report.warnings].map((v) => formatLint(v, 'error'))).toEqual([]);
    for (const w of report.waived) expect(w.reason.length).toBeGreaterThan(10);
  });
});

describe('a template with one error gets that error', () => {
  it('lints a good template clean, SAM resources and policies included', () => {
    const report = lint('clean');
    expect({ errors: report.errors, warnings: report.warnings }).toEqual({ errors: [], warnings: [] });
  });

  it.each([
    [
      'unknown-type',
      finding(
        'lint.schema',
        'Table',
        'Resources.Table.Type',
        'AWS::DynamoDB::Tabel is not a resource type',
        'did you mean AWS::DynamoDB::Table?',
      ),
    ],
    [
      'unknown-property',
      finding(
        'lint.schema',
        'Queue',
        'Resources.Queue.Properties.VisibilityTimout',
        'AWS::SQS::Queue has no property VisibilityTimout',
        'did you mean VisibilityTimeout?',
      ),
    ],
    [
      'wrong-type',
      finding(
        'lint.schema',
        'Queue',
        'Resources.Queue.Properties.VisibilityTimeout',
        'VisibilityTimeout must be an integer, not "thirty"',
        'write VisibilityTimeout as an integer',
      ),
    ],
    [
      'missing-required',
      finding(
        'lint.schema',
        'Invoke',
        'Resources.Invoke.Properties',
        'AWS::Lambda::Permission needs Principal, which is missing',
        'add Principal',
      ),
    ],
    [
      'enum',
      finding(
        'lint.schema',
        'Logs',
        'Resources.Logs.Properties.LogGroupClass',
        '"STANDART", which is not one of STANDARD, INFREQUENT_ACCESS, DELIVERY',
        'did you mean STANDARD?',
      ),
    ],
    [
      'sam-pass-through',
      finding(
        'lint.schema',
        'Fn',
        'Resources.Fn.Properties.LoggingConfig.LogFormat',
        'LogFormat is "Json", which is not one of Text, JSON',
        'did you mean JSON?',
      ),
    ],
    [
      'description',
      finding(
        'lint.schema',
        'Queue',
        'Resources.Queue.Properties.Description',
        'AWS::SQS::Queue takes no Description',
        'remove it',
      ),
    ],
    [
      'get-att',
      finding(
        'lint.references',
        'Topic',
        'Resources.Topic.Properties.TopicName',
        'Fn::GetAtt reads Queue.Url, but AWS::SQS::Queue has no attribute Url',
        'Arn, QueueName, QueueUrl',
      ),
    ],
    [
      'depends-on',
      finding(
        'lint.references',
        'Queue',
        'Resources.Queue.DependsOn',
        'DependsOn Tabel, which is no resource',
        'did you mean Table?',
      ),
    ],
    [
      'ref',
      finding(
        'lint.references',
        'Topic',
        'Resources.Topic.Properties.TopicName',
        'Ref names Queu, which is no resource or parameter',
        'did you mean Queue?',
      ),
    ],
    [
      'iam-action',
      finding(
        'lint.iam-action',
        'Role',
        'Resources.Role.Properties.Policies[0].PolicyDocument.Statement[0].Action',
        'dynamodb has no action PutItems in the service authorization reference',
        'did you mean dynamodb:PutItem?',
      ),
    ],
    [
      'iam-resource',
      finding(
        'lint.iam-resource',
        'Role',
        'Resources.Role.Properties.Policies[0].PolicyDocument.Statement[0].Resource',
        'is not of a resource type dynamodb:GetItem takes: table',
        'name a resource of that type',
      ),
    ],
  ])('%s', (name, expected) => {
    const report = lint(name);
    expect(report.errors).toEqual([expected]);
    expect(report.warnings).toEqual([]);
    expect(CHECKS[report.errors[0]!.id].waivable).toBe(false);
  });

  it('prints the file, the resource, the property relative to it, the message and the fix', () => {
    expect(formatLint(lint('iam-action').errors[0]!, 'error')).toBe(
      'iam-action/template.yaml: error lint.iam-action: Role: Properties.Policies[0].PolicyDocument.Statement[0].Action: dynamodb:PutItems: dynamodb has no action PutItems in the service authorization reference (IAM refuses the policy)\n' +
        '    fix: did you mean dynamodb:PutItem?',
    );
  });
});

describe('hygiene', () => {
  it('warns, with an id each: no log group with a retention, tracing off, "*" where the action takes a resource type', () => {
    const report = lint('hygiene');
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([
      finding(
        'lint.wildcard-resource',
        'Fn',
        'Resources.Fn.Properties.Policies[0].Statement[0].Resource',
        'Resource "*" for dynamodb:GetItem, which acts on resource types (dynamodb:GetItem: table)',
        'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}',
      ),
      finding(
        'lint.log-retention',
        'Fn',
        'Resources.Fn.Properties',
        'no log group with a retention is declared for its logs',
        "LogGroupName: !Sub '/aws/lambda/${Fn}', RetentionInDays: 14",
      ),
      finding('lint.tracing', 'Fn', 'Resources.Fn.Properties.Tracing', 'tracing is off', 'Tracing: Active'),
    ]);
  });

  it('sets warnings aside by the waivers of the Metadata (template or resource), and refuses a waiver without a reason', () => {
    const report = lint('waived');
    expect(report.warnings).toEqual([]);
    expect(report.waived.map((w) => [w.id, w.resource, w.violations.length])).toEqual([
      ['lint.tracing', '(template)', 1],
      ['lint.log-retention', 'Fn', 1],
    ]);
    expect(report.errors).toEqual([
      expect.objectContaining({
        id: 'meta.waiver',
        resource: 'Fn',
        property: 'Resources.Fn.Metadata.Checks.Waive[1]',
        message: 'waives lint.wildcard-resource without a reason',
      }),
    ]);
  });
});

describe('IAM resource patterns', () => {
  it('meet when a wildcard or an ARN format variable can stand for the other', () => {
    const table = 'arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}';
    const index = 'arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/index/${IndexName}';
    expect(patternsMeet('arn:aws:dynamodb:us-east-1:1:table/Orders', table)).toBe(true);
    expect(patternsMeet('arn:aws:dynamodb:us-east-1:1:table/Orders/index/*', index)).toBe(true);
    expect(patternsMeet('arn:aws:dynamodb:*:*:table/*', table)).toBe(true);
    expect(patternsMeet('arn:aws:sqs:us-east-1:1:orders', table)).toBe(false);
    expect(
      patternsMeet('arn:aws:logs:*:*:*', 'arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}'),
    ).toBe(true);
  });
});
