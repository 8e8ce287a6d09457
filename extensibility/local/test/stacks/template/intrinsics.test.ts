import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { loadTemplate } from '../../../src/stacks/template/index.js';
import { load, problems, STACK } from './helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const EXPORTS = {
  'shared-BusArn': 'arn:aws:events:us-east-1:111111111111:event-bus/shared',
  'test-TableName': 'shared-table',
};

/** A template with one probe resource whose Properties are `properties` (YAML, indented 6). */
function probe(properties: string, extra = ''): string {
  return `Parameters:
  Env: { Type: String, Default: test }
  Subnets: { Type: CommaDelimitedList, Default: 'a,b' }
Mappings:
  M:
    top: { second: value }
Conditions:
  IsTest: !Equals [!Ref Env, test]
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties: { Name: bus }
  Probe:
    Type: Custom::Probe
    Properties:
${properties}
${extra}`;
}

describe('intrinsic functions (fixture)', () => {
  const template = loadTemplate(fixture('intrinsics.yaml'), { ...STACK, exports: EXPORTS });
  const props = template.resources.find((r) => r.logicalId === 'Probe')?.properties ?? {};
  const busArn = 'arn:aws:events:us-east-1:123456789012:event-bus/test-bus';

  it('Ref: parameters (lists as arrays, Number as text) and resources', () => {
    expect(props).toMatchObject({
      RefParam: 'test',
      RefList: ['subnet-a', 'subnet-b', 'subnet-c'],
      RefNumberList: ['80', '443'],
      RefNumber: '3',
      RefResource: 'test-bus',
    });
  });

  it('Fn::GetAtt: short form, list form, dotted string form, attribute from a Ref', () => {
    expect(props).toMatchObject({
      GetAttShort: busArn,
      GetAttLong: busArn,
      GetAttDotted: 'test-bus',
      GetAttFromParam: 'test-bus',
    });
  });

  it('Fn::Sub: parameters, resources, attributes, pseudo parameters, ${!Literal}, and a variable map', () => {
    expect(props['Sub']).toBe(`presso/test/test-bus/${busArn}/\${Literal}/us-east-1`);
    expect(props['SubWithVars']).toBe('Hello, test! test-bus 3');
  });

  it('Fn::Join, Fn::Select, Fn::Split', () => {
    expect(props).toMatchObject({
      Join: 'a-test-1',
      JoinList: 'subnet-a,subnet-b,subnet-c',
      JoinEmpty: '',
      Select: 'subnet-b',
      SelectStringIndex: 'z',
      Split: ['a', 'b', '', 'c'],
      SelectSplit: 'event-bus/test-bus',
    });
  });

  it('Fn::FindInMap, Fn::Base64, Fn::GetAZs, Fn::ImportValue', () => {
    expect(props).toMatchObject({
      FindInMap: 'ami-east',
      FindInMapList: ['x', 'y'],
      Base64: Buffer.from('hello world').toString('base64'),
      Base64Sub: Buffer.from('echo test').toString('base64'),
      GetAZs: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      GetAZsRegion: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      GetAZsRef: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      Imported: EXPORTS['shared-BusArn'],
      ImportedSub: 'shared-table',
    });
  });

  it('Fn::If, with AWS::NoValue removing a property or a list item', () => {
    expect(props).toMatchObject({
      IfTrue: 'yes',
      IfFalse: 'no',
      ListWithNoValue: ['a', 'c'],
      Nested: { Deep: { Value: 'test-deep' } },
    });
    expect(props).not.toHaveProperty('IfNoValue');
  });

  it('pseudo parameters', () => {
    expect(props['Pseudo']).toEqual({
      Region: 'us-east-1',
      Account: '123456789012',
      StackName: 'presso',
      StackId: expect.stringMatching(
        /^arn:aws:cloudformation:us-east-1:123456789012:stack\/presso\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      Partition: 'aws',
      URLSuffix: 'amazonaws.com',
      NotificationARNs: [],
    });
    expect(props['Literals']).toEqual({ Number: 42, Bool: true, Nothing: null });
  });

  it('conditions: Equals (number against text), Not, And, Or, Condition, with intrinsics inside', () => {
    expect(template.conditions).toEqual({
      IsTest: true,
      IsProd: false,
      NotProd: true,
      TestAndNotProd: true,
      ProdOrSizeThree: true,
      FirstZoneIsA: true,
      EastAmi: true,
      JoinedSubnets: true,
    });
  });

  it('leaves out resources and outputs whose condition is false', () => {
    expect(template.resources.map((r) => r.logicalId)).toEqual(['Bus', 'Probe']);
    expect(template.outputs).toEqual({
      BusArn: { value: busArn, exportName: 'presso-BusArn' },
      Subnets: { value: 'subnet-a,subnet-b,subnet-c' },
      SizeAsText: { value: '3' },
    });
  });

  it('uses the region given for AWS::Region, partition and URL suffix', () => {
    const china = load(
      "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags: [{ Key: p, Value: !Sub '${AWS::Region} ${AWS::Partition} ${AWS::URLSuffix}' }]\n",
      { region: 'cn-north-1' },
    );
    expect(china.resources[0]?.properties['Tags']).toEqual([{ Key: 'p', Value: 'cn-north-1 aws-cn amazonaws.com.cn' }]);
    expect(china.resources[0]?.physicalId).toMatch(
      /^https:\/\/sqs\.cn-north-1\.amazonaws\.com\.cn\/123456789012\/presso-Q-[A-Z0-9]{12}$/,
    );
  });
});

describe('intrinsic function errors', () => {
  const at = (property: string, message: string) => `t.yaml: Resources.Probe.Properties.${property}: ${message}`;

  it('Ref to an unknown name', () => {
    expect(problems(probe('      A: !Ref Nope'))).toEqual([at('A', "Ref to unknown parameter or resource 'Nope'")]);
  });

  it('Ref to an unknown pseudo parameter, or not a string', () => {
    expect(problems(probe('      A: !Ref AWS::Nothing\n      B: { Ref: [x] }'))).toEqual([
      at('A', "unknown pseudo parameter 'AWS::Nothing'"),
      at('B', 'Ref needs the name of a parameter, pseudo parameter or resource'),
    ]);
  });

  it('Fn::GetAtt shapes, parameters and unknown resources', () => {
    expect(
      problems(
        probe(
          "      A: { 'Fn::GetAtt': Bus }\n      B: { 'Fn::GetAtt': [Bus] }\n      C: !GetAtt Env.Arn\n      D: !GetAtt Nope.Arn",
        ),
      ),
    ).toEqual([
      at('A', "Fn::GetAtt needs 'LogicalId.Attribute', got 'Bus'"),
      at('B', 'Fn::GetAtt needs [LogicalId, Attribute] or "LogicalId.Attribute"'),
      at('C', "Fn::GetAtt needs a resource, 'Env' is a parameter"),
      at('D', "Fn::GetAtt to unknown resource 'Nope'"),
    ]);
  });

  it('Fn::GetAtt of an attribute the type does not have', () => {
    expect(problems(probe('      A: !GetAtt Bus.Nope'))).toEqual([
      at('A', "Fn::GetAtt Bus.Nope: AWS::Events::EventBus has no attribute 'Nope' (it has: Arn, Name)"),
    ]);
  });

  it('Fn::Sub: unknown names, lists, AWS::NoValue, wrong shapes', () => {
    expect(
      problems(
        probe(
          "      A: !Sub '${Nope}'\n      B: !Sub '${Subnets}'\n      C: !Sub '${AWS::NoValue}'\n      D: !Sub [x, y]\n      E: !Sub ['${X}', { X: [1] }]\n      F: !Sub '${Nope.Arn}'",
        ),
      ),
    ).toEqual([
      at('A', "Fn::Sub: '${Nope}' is not a parameter, resource or Fn::Sub variable"),
      at('B', "Fn::Sub: '${Subnets}' is a list; only strings can be substituted"),
      at('C', "Fn::Sub: '${AWS::NoValue}' is AWS::NoValue"),
      at('D', 'Fn::Sub needs a string or [string, { Name: value, ... }]'),
      at('E', "Fn::Sub: '${X}' is a list; only strings can be substituted"),
      at('F', "Fn::GetAtt to unknown resource 'Nope'"),
    ]);
  });

  it('Fn::Sub keeps an unclosed ${ as text', () => {
    const loaded = load(probe("      A: !Sub 'cost: ${ 5'"));
    expect(loaded.resources[1]?.properties['A']).toBe('cost: ${ 5');
  });

  it('Fn::Select: out of range, bad index, not a list', () => {
    expect(
      problems(
        probe(
          '      A: !Select [2, !Ref Subnets]\n      B: !Select [-1, [a]]\n      C: !Select [x, [a]]\n      D: !Select [0, !Ref Env]',
        ),
      ),
    ).toEqual([
      at('A', 'Fn::Select: index 2 is out of range for a list of 2'),
      at('B', 'Fn::Select: index must be a non-negative integer, got -1'),
      at('C', 'Fn::Select: index must be a non-negative integer, got "x"'),
      at('D.Fn::Select[1]', 'Fn::Select: expected a list'),
    ]);
  });

  it('Fn::Join and Fn::Split shapes', () => {
    expect(
      problems(
        probe(
          "      A: !Join [',', a]\n      B: !Join [[x], [a]]\n      C: !Join [',', [{ k: v }]]\n      D: !Split [',']\n      E: !Split [',', [a]]",
        ),
      ),
    ).toEqual([
      at('A.Fn::Join[1]', 'Fn::Join: expected a list'),
      at('B', 'Fn::Join needs [delimiter, [values]]'),
      at('C', 'Fn::Join: item 0 is not a string'),
      at('D', 'Fn::Split needs [delimiter, string]'),
      at('E.Fn::Split[1]', 'Fn::Split: expected a string, got a list'),
    ]);
  });

  it('Fn::FindInMap: missing map, key and second key', () => {
    expect(
      problems(
        probe(
          '      A: !FindInMap [X, top, second]\n      B: !FindInMap [M, x, second]\n      C: !FindInMap [M, top, x]\n      D: !FindInMap [M, top]',
        ),
      ),
    ).toEqual([
      at('A', "Fn::FindInMap: no mapping 'X'"),
      at('B', "Fn::FindInMap: mapping 'M' has no key 'x'"),
      at('C', "Fn::FindInMap: mapping 'M.top' has no key 'x'"),
      at('D', 'Fn::FindInMap needs [MapName, TopLevelKey, SecondLevelKey]'),
    ]);
  });

  it('Fn::If: unknown condition and wrong shape', () => {
    expect(problems(probe('      A: !If [Nope, a, b]\n      B: !If [IsTest, a]'))).toEqual([
      at('A', "unknown condition 'Nope'"),
      at('B', 'Fn::If needs [ConditionName, valueIfTrue, valueIfFalse]'),
    ]);
  });

  it('evaluates only the Fn::If branch the condition selects', () => {
    const loaded = load(probe('      A: !If [IsTest, ok, !Ref Nope]'));
    expect(loaded.resources[1]?.properties['A']).toBe('ok');
  });

  it('Fn::ImportValue without an exports lookup, or with a name nobody exports', () => {
    expect(problems(probe('      A: !ImportValue shared'))).toEqual([
      at(
        'A',
        "Fn::ImportValue 'shared': imports from other stacks are not supported locally unless an exports lookup is supplied",
      ),
    ]);
    expect(problems(probe('      A: !ImportValue shared'), { exports: {} })).toEqual([
      at('A', "Fn::ImportValue 'shared': no stack exports that name"),
    ]);
  });

  it('Fn::Base64 and Fn::GetAZs need strings', () => {
    expect(problems(probe('      A: !Base64 [a]\n      B: !GetAZs [a]'))).toEqual([
      at('A.Fn::Base64', 'Fn::Base64: expected a string, got a list'),
      at('B.Fn::GetAZs', 'Fn::GetAZs: expected a string, got a list'),
    ]);
  });

  it('condition functions outside Conditions, unsupported and unknown functions', () => {
    expect(
      problems(probe("      A: !Equals [a, a]\n      B: !Cidr ['10.0.0.0/16', 2, 8]\n      C: { 'Fn::Nope': x }")),
    ).toEqual([
      at('A', 'Fn::Equals can only be used in the Conditions section'),
      at('B', 'Fn::Cidr is not supported by the local template loader'),
      at('C', "unknown intrinsic function 'Fn::Nope'"),
    ]);
  });

  it('reports the path inside nested intrinsics', () => {
    expect(problems(probe("      A:\n        - x: !Join ['-', [a, !Ref Nope]]"))).toEqual([
      at('A[0].x.Fn::Join[1][1]', "Ref to unknown parameter or resource 'Nope'"),
    ]);
  });

  it('Ref and Fn::GetAtt of a resource whose condition is false', () => {
    const extra = `  Prod:
    Type: AWS::SQS::Queue
    Condition: IsProd`;
    expect(problems(probe('      A: !Ref Prod\n      B: !GetAtt Prod.Arn', extra))).toEqual([
      at('A', "Ref to resource 'Prod', which is not created: its condition 'IsProd' is false"),
      at('B', "Fn::GetAtt to resource 'Prod', which is not created: its condition 'IsProd' is false"),
    ]);
  });
});
