import { describe, expect, it } from '@jest/globals';
import {
  formatIssue,
  parseParameterOverrides,
  parseTemplateText,
  resolveTemplate,
  TemplateError,
  type LoadedTemplate,
} from '../../../src/stacks/template/index.js';

const STACK = { stackName: 'presso', region: 'us-east-1', accountId: '123456789012' };
const RESOURCES = 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n';

function load(parameters: string, overrides?: Record<string, string>): LoadedTemplate {
  const text = `Parameters:\n${parameters}\n${RESOURCES}`;
  return resolveTemplate(parseTemplateText(text, 't.yaml'), 't.yaml', {
    ...STACK,
    ...(overrides ? { parameterOverrides: overrides } : {}),
  });
}

function problems(parameters: string, overrides?: Record<string, string>): string[] {
  try {
    load(parameters, overrides);
  } catch (error) {
    if (error instanceof TemplateError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error('the template loaded without problems');
}

describe('parameter types', () => {
  it('String, Number (as text), CommaDelimitedList (trimmed), List<Number>', () => {
    const loaded = load(`  S: { Type: String, Default: hello }
  N: { Type: Number, Default: 2.5 }
  L: { Type: CommaDelimitedList, Default: ' a, b ,c ' }
  LN: { Type: 'List<Number>', Default: '1, 2' }
  Empty: { Type: String, Default: '' }`);
    expect(loaded.parameters).toEqual({ S: 'hello', N: '2.5', L: ['a', 'b', 'c'], LN: ['1', '2'], Empty: '' });
  });

  it('treats AWS-specific types as String or list, and AWS::SSM::Parameter::Name as String', () => {
    const loaded = load(`  Vpc: { Type: 'AWS::EC2::VPC::Id', Default: vpc-1 }
  Subnets: { Type: 'List<AWS::EC2::Subnet::Id>', Default: 'subnet-1,subnet-2' }
  Name: { Type: 'AWS::SSM::Parameter::Name', Default: /app/name }`);
    expect(loaded.parameters).toEqual({ Vpc: 'vpc-1', Subnets: ['subnet-1', 'subnet-2'], Name: '/app/name' });
  });

  it('refuses SSM parameter value types and unknown types', () => {
    expect(
      problems(`  FromSsm: { Type: 'AWS::SSM::Parameter::Value<String>', Default: /app/bus }
  Odd: { Type: Text, Default: x }`),
    ).toEqual([
      't.yaml: Parameters.FromSsm.Type: type AWS::SSM::Parameter::Value<String> reads Parameter Store, which the local cloud does not have; use a String parameter locally',
      "t.yaml: Parameters.Odd.Type: unknown parameter type 'Text'",
    ]);
  });

  it('reads YAML numbers and booleans in Default as their text', () => {
    expect(load('  N: { Type: Number, Default: 5 }\n  B: { Type: String, Default: true }').parameters).toEqual({
      N: '5',
      B: 'true',
    });
  });

  it('reports a missing Type, an unknown attribute, a list Default and a bad name', () => {
    expect(
      problems(`  NoType: { Default: x }
  Extra: { Type: String, Default: x, Secret: true }
  ListDefault: { Type: CommaDelimitedList, Default: [a, b] }
  Bad-Name: { Type: String, Default: x }`),
    ).toEqual([
      't.yaml: Parameters.NoType: Type is required and must be a string',
      "t.yaml: Parameters.Extra.Secret: unknown parameter attribute 'Secret'",
      't.yaml: Parameters.ListDefault.Default: Default must be a string (a list parameter takes "a,b,c")',
      't.yaml: Parameters.Bad-Name: parameter names must be alphanumeric',
    ]);
  });
});

describe('parameter overrides', () => {
  it('take precedence over Default', () => {
    expect(load('  Stage: { Type: String, Default: dev }', { Stage: 'prod' }).parameters).toEqual({ Stage: 'prod' });
  });

  it('give a value to a parameter without Default; without one it is an error', () => {
    expect(load('  Required: { Type: String }', { Required: 'x' }).parameters).toEqual({ Required: 'x' });
    expect(problems('  Required: { Type: String }')).toEqual([
      "t.yaml: Parameters.Required: parameter 'Required' has no Default and no override was given",
    ]);
  });

  it('for an unknown parameter is an error', () => {
    expect(problems('  Stage: { Type: String, Default: dev }', { Stgae: 'prod' })).toEqual([
      "t.yaml: Parameters: override for unknown parameter 'Stgae'",
    ]);
  });
});

describe('parameter constraints', () => {
  it('AllowedValues, for each member of a list', () => {
    const definition =
      '  Stage: { Type: String, Default: dev, AllowedValues: [dev, prod] }\n  Zones: { Type: CommaDelimitedList, Default: a, AllowedValues: [a, b] }';
    expect(load(definition, { Stage: 'prod', Zones: 'a,b' }).parameters).toEqual({ Stage: 'prod', Zones: ['a', 'b'] });
    expect(problems(definition, { Stage: 'test', Zones: 'a,c' })).toEqual([
      't.yaml: Parameters.Stage: override Stage="test": \'test\' is not one of the AllowedValues [dev, prod]',
      't.yaml: Parameters.Zones: override Zones="a,c": \'c\' is not one of the AllowedValues [a, b]',
    ]);
  });

  it('AllowedPattern must match the whole value; ConstraintDescription is quoted', () => {
    const definition =
      "  Name: { Type: String, Default: abc, AllowedPattern: '[a-z]+', ConstraintDescription: lower case letters only }";
    expect(load(definition).parameters).toEqual({ Name: 'abc' });
    expect(problems(definition, { Name: 'abc1' })).toEqual([
      't.yaml: Parameters.Name: override Name="abc1": \'abc1\' does not match AllowedPattern [a-z]+ (lower case letters only)',
    ]);
  });

  it('an invalid AllowedPattern is reported', () => {
    expect(problems("  Name: { Type: String, Default: abc, AllowedPattern: '[a-' }")).toEqual([
      't.yaml: Parameters.Name: Default "abc": AllowedPattern [a- is not a valid regular expression',
    ]);
  });

  it('MinLength and MaxLength', () => {
    const definition = '  Name: { Type: String, Default: abc, MinLength: 2, MaxLength: 4 }';
    expect(problems(definition, { Name: 'a' })).toEqual([
      't.yaml: Parameters.Name: override Name="a": \'a\' is shorter than MinLength 2',
    ]);
    expect(problems(definition, { Name: 'abcde' })).toEqual([
      't.yaml: Parameters.Name: override Name="abcde": \'abcde\' is longer than MaxLength 4',
    ]);
  });

  it('Number: must be a number within MinValue and MaxValue, also in List<Number>', () => {
    const definition =
      "  Count: { Type: Number, Default: 3, MinValue: 1, MaxValue: 5 }\n  Ports: { Type: 'List<Number>', Default: '80', MaxValue: 1000 }";
    expect(load(definition, { Count: '5' }).parameters['Count']).toBe('5');
    expect(problems(definition, { Count: 'many', Ports: '80,8080' })).toEqual([
      't.yaml: Parameters.Count: override Count="many": \'many\' is not a number',
      't.yaml: Parameters.Ports: override Ports="80,8080": 8080 is greater than MaxValue 1000',
    ]);
    expect(problems(definition, { Count: '0' })).toEqual([
      't.yaml: Parameters.Count: override Count="0": 0 is less than MinValue 1',
    ]);
  });
});

describe('parseParameterOverrides', () => {
  it('parses the AWS CLI Key=Value form', () => {
    expect(parseParameterOverrides('Stage=prod BusName=Serverlesspresso')).toEqual({
      Stage: 'prod',
      BusName: 'Serverlesspresso',
    });
  });

  it('keeps = inside values, honours quotes and escapes, allows empty values', () => {
    expect(parseParameterOverrides(`Filter=a=b Message="hello world" Single='it''s' Path=C:\\\\x Empty=`)).toEqual({
      Filter: 'a=b',
      Message: 'hello world',
      Single: 'its',
      Path: 'C:\\x',
      Empty: '',
    });
  });

  it("parses SAM's ParameterKey=...,ParameterValue=... form", () => {
    expect(
      parseParameterOverrides('ParameterKey=Stage,ParameterValue=prod ParameterKey=List,ParameterValue=a,b'),
    ).toEqual({ Stage: 'prod', List: 'a,b' });
  });

  it('takes an array as already split (argv or samconfig list), one pair per item', () => {
    expect(parseParameterOverrides(['Message=hello world', 'Stage=dev', 'Stage=prod'])).toEqual({
      Message: 'hello world',
      Stage: 'prod',
    });
    expect(parseParameterOverrides('')).toEqual({});
  });

  it('reports what is not a pair, with every problem', () => {
    expect(() => parseParameterOverrides('Stage prod Bad-Key=1')).toThrow(TemplateError);
    try {
      parseParameterOverrides('Stage prod Bad-Key=1');
    } catch (error) {
      expect((error as TemplateError).issues.map(formatIssue)).toEqual([
        "--parameter-overrides: 'Stage' is not Key=Value",
        "--parameter-overrides: 'prod' is not Key=Value",
        "--parameter-overrides: 'Bad-Key' in 'Bad-Key=1' is not a parameter name (letters and digits only)",
      ]);
    }
    expect(() => parseParameterOverrides('Message="unclosed')).toThrow('--parameter-overrides: unterminated " quote');
  });
});
