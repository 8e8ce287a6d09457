import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import {
  formatIssue,
  loadTemplate,
  parseTemplateText,
  resolveTemplate,
  TemplateError,
  type LoadOptions,
  type TemplateIssue,
} from '../../../src/stacks/template/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const STACK = { stackName: 'presso', region: 'us-east-1', accountId: '123456789012' };

function failure(run: () => unknown): TemplateError {
  try {
    run();
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error('no TemplateError was thrown');
}

function problems(text: string, options: Partial<LoadOptions> = {}): string[] {
  return failure(() =>
    resolveTemplate(parseTemplateText(text, 't.yaml'), 't.yaml', { ...STACK, ...options }),
  ).issues.map(formatIssue);
}

describe('TemplateError', () => {
  it('collects every problem in a template, each with file, resource and property', () => {
    const file = fixture('broken.yaml');
    const error = failure(() => loadTemplate(file, STACK));
    const issues: Array<Omit<TemplateIssue, 'file'>> = error.issues.map(({ file: issueFile, ...rest }) => {
      expect(issueFile).toBe(file);
      return rest;
    });
    expect(issues).toEqual([
      { property: 'Parameters.Stage', message: 'Default "test": \'test\' is not one of the AllowedValues [dev, prod]' },
      { property: 'Parameters.Required', message: "parameter 'Required' has no Default and no override was given" },
      { resource: 'Fn', property: 'Resources.Fn.Condition', message: "unknown condition 'NoSuchCondition'" },
      {
        resource: 'OrderTable',
        property: 'Resources.OrderTable.Properties.KeySchema[0].AttributeName',
        message: "Ref to unknown parameter or resource 'Foo'",
      },
      {
        resource: 'OrderTable',
        property: 'Resources.OrderTable.Properties.TableName',
        message: "Fn::Sub: '${Missing}' is not a parameter, resource or Fn::Sub variable",
      },
      {
        resource: 'OrderTable',
        property: 'Resources.OrderTable.Properties.Tags[0].Value',
        message: 'Fn::Select: index 5 is out of range for a list of 3',
      },
      { resource: 'Uses', property: 'Resources.Uses.Properties.QueueName', message: "unknown condition 'Unknown'" },
      { resource: 'Uses', property: 'Resources.Uses.Properties.Other', message: "Fn::FindInMap: no mapping 'Nope'" },
      {
        resource: 'Uses',
        property: 'Resources.Uses.Properties.Weird',
        message: "unknown intrinsic function 'Fn::Frobnicate'",
      },
      { resource: 'Uses', property: 'Resources.Uses.Properties.Joined', message: 'Fn::Join: item 1 is a list' },
    ]);
    expect(error.message.split('\n')[0]).toBe('10 problems in template:');
    expect(error.message).toContain(
      `  ${file}: Resources.OrderTable.Properties.KeySchema[0].AttributeName: Ref to unknown parameter or resource 'Foo'`,
    );
  });

  it('has the issue itself as message when there is one', () => {
    const error = failure(() =>
      resolveTemplate(
        parseTemplateText(
          'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: { QueueName: !Ref Nope }\n',
          'core/template.yaml',
        ),
        'core/template.yaml',
        STACK,
      ),
    );
    expect(error.message).toBe(
      "core/template.yaml: Resources.Q.Properties.QueueName: Ref to unknown parameter or resource 'Nope'",
    );
    expect(error.name).toBe('TemplateError');
    expect(error.issues).toEqual([
      {
        file: 'core/template.yaml',
        resource: 'Q',
        property: 'Resources.Q.Properties.QueueName',
        message: "Ref to unknown parameter or resource 'Nope'",
      },
    ]);
  });
});

describe('circular dependencies', () => {
  it('reports each cycle with its path and the reason for each step (Ref, Fn::GetAtt, Fn::Sub, DependsOn)', () => {
    expect(failure(() => loadTemplate(fixture('cycle.yaml'), STACK)).issues).toEqual([
      {
        file: fixture('cycle.yaml'),
        resource: 'First',
        property: 'Resources.First',
        message:
          'circular dependency: First -> Second -> Third -> First (Ref at Resources.First.Properties.Name; Fn::GetAtt at Resources.Second.Properties.QueueName; Fn::Sub at Resources.Third.Properties.Name)',
      },
      {
        file: fixture('cycle.yaml'),
        resource: 'Selfish',
        property: 'Resources.Selfish',
        message: 'circular dependency: Selfish -> Selfish (DependsOn at Resources.Selfish.DependsOn)',
      },
    ]);
  });

  it('ignores references in an Fn::If branch that is not taken', () => {
    const loaded = resolveTemplate(
      parseTemplateText(
        `Conditions:
  Never: !Equals [a, b]
Resources:
  A:
    Type: AWS::SQS::Queue
    Properties: { QueueName: !If [Never, !GetAtt B.QueueName, a] }
  B:
    Type: AWS::SQS::Queue
    Properties: { QueueName: !GetAtt A.QueueName }
`,
        't.yaml',
      ),
      't.yaml',
      STACK,
    );
    expect(loaded.resources.map((r) => [r.logicalId, r.dependsOn])).toEqual([
      ['A', []],
      ['B', ['A']],
    ]);
    expect(loaded.resources[1]?.properties['QueueName']).toBe('a');
  });
});

describe('reading templates', () => {
  it('reports YAML syntax errors with their line', () => {
    const error = failure(() => parseTemplateText('Resources:\n  Q:\n    Type: [unclosed\n', 'bad.yaml'));
    expect(error.issues).toHaveLength(1);
    expect(error.message).toMatch(/^bad\.yaml: cannot parse template: .* \(line \d+, column \d+\)$/);
  });

  it('reports unknown short-form tags and duplicate keys', () => {
    expect(failure(() => parseTemplateText('A: !Frobnicate x\n', 't.yaml')).message).toMatch(
      /unknown tag !<!Frobnicate>.*line 1/,
    );
    expect(failure(() => parseTemplateText('A: 1\nA: 2\n', 't.yaml')).message).toMatch(
      /duplicated mapping key.*line 2/,
    );
  });

  it('parses .json files as JSON, reporting its errors', () => {
    expect(parseTemplateText('{"Resources": {}}', 't.json')).toEqual({ Resources: {} });
    expect(failure(() => parseTemplateText('{"Resources": ', 't.json')).message).toMatch(
      /^t\.json: cannot parse template: /,
    );
  });

  it('reports a file that cannot be read', () => {
    expect(failure(() => loadTemplate(fixture('missing.yaml'), STACK)).message).toMatch(
      /missing\.yaml: cannot read template: ENOENT/,
    );
  });
});

describe('template structure', () => {
  it('needs a map with a non-empty Resources section, and known sections', () => {
    expect(problems('- a\n')).toEqual(['t.yaml: a template must be a map with a Resources section']);
    expect(problems('Resources: {}\nOutputz: {}\n')).toEqual([
      "t.yaml: Outputz: unknown template section 'Outputz'",
      't.yaml: Resources: a template needs a Resources section with at least one resource',
    ]);
    expect(problems("AWSTemplateFormatVersion: '2011-01-01'\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n")).toEqual([
      "t.yaml: AWSTemplateFormatVersion: the only AWSTemplateFormatVersion is '2010-09-09'",
    ]);
  });

  it('checks logical ids, types, attributes, Properties and DependsOn', () => {
    expect(
      problems(`Parameters:
  Same: { Type: String, Default: x }
Resources:
  Bad-Id:
    Type: AWS::SQS::Queue
  NoType:
    Properties: {}
  Attr:
    Type: AWS::SQS::Queue
    Propertes: {}
  Props:
    Type: AWS::SQS::Queue
    Properties: [a]
  Deps:
    Type: AWS::SQS::Queue
    DependsOn: [Nope]
  Same:
    Type: AWS::SQS::Queue
  Policy:
    Type: AWS::SQS::Queue
    DeletionPolicy: Keep
`),
    ).toEqual([
      "t.yaml: Resources.Same: 'Same' is both a parameter and a resource",
      't.yaml: Resources.Bad-Id: logical ids must be alphanumeric',
      't.yaml: Resources.NoType.Type: Type must be a resource type like AWS::Service::Resource, got undefined',
      "t.yaml: Resources.Attr.Propertes: unknown resource attribute 'Propertes'",
      't.yaml: Resources.Props.Properties: Properties must be a map',
      "t.yaml: Resources.Deps.DependsOn: DependsOn unknown resource 'Nope'",
      't.yaml: Resources.Policy.DeletionPolicy: must be Delete, Retain, RetainExceptOnCreate or Snapshot',
    ]);
  });

  it('checks the stack name, region and account id', () => {
    expect(
      problems('Resources:\n  Q:\n    Type: AWS::SQS::Queue\n', {
        stackName: '1-bad_name',
        region: 'moon',
        accountId: '42',
      }),
    ).toEqual([
      "t.yaml: stack name '1-bad_name' must start with a letter and contain only letters, digits and hyphens (at most 128)",
      "t.yaml: 'moon' is not a region name",
      "t.yaml: account id '42' must be 12 digits",
    ]);
  });

  it('checks outputs: a string Value, known Condition, unique export names', () => {
    expect(
      problems(`Parameters:
  L: { Type: CommaDelimitedList, Default: 'a,b' }
Resources:
  Q:
    Type: AWS::SQS::Queue
Outputs:
  List:
    Value: !Ref L
  NoValue:
    Description: nothing
  Cond:
    Condition: Nope
    Value: x
  One:
    Value: a
    Export: { Name: shared }
  Two:
    Value: b
    Export: { Name: shared }
  Extra:
    Value: a
    Exported: yes
`),
    ).toEqual([
      't.yaml: Outputs.List.Value: an output value must be a string (use Fn::Join for a list)',
      't.yaml: Outputs.NoValue: an output needs a Value',
      't.yaml: Outputs.Cond.Condition: unknown condition "Nope"',
      "t.yaml: Outputs.Two.Export.Name: export name 'shared' is also exported by output 'One'",
      "t.yaml: Outputs.Extra.Exported: unknown output attribute 'Exported'",
    ]);
  });

  it('reports a resolver that cannot resolve a Ref', () => {
    expect(
      problems('Resources:\n  Q:\n    Type: AWS::SQS::Queue\n', {
        resolver: {
          ref: () => {
            throw new Error('no local queues yet');
          },
          getAtt: () => undefined,
        },
      }),
    ).toEqual(['t.yaml: Resources.Q: resolving Ref: no local queues yet']);
  });
});
