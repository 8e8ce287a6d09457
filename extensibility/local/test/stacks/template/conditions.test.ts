import { describe, expect, it } from '@jest/globals';
import { load, problems } from './helpers.js';

const QUEUE = 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n';

describe('conditions', () => {
  it('may refer to conditions defined later', () => {
    const loaded = load(`Parameters:
  Stage: { Type: String, Default: dev }
  Flag: { Type: String, Default: 'true' }
Conditions:
  Either: !Or [!Condition IsProd, !Condition Flagged]
  IsProd: !Equals [!Ref Stage, prod]
  Flagged: !Equals [!Ref Flag, true]
  Neither: !Not [!Condition Either]
  Both: !And [!Condition IsProd, !Condition Flagged, !Equals [a, a]]
${QUEUE}`);
    expect(loaded.conditions).toEqual({ Either: true, IsProd: false, Flagged: true, Neither: false, Both: false });
  });

  it('report a circular reference once, with the loop', () => {
    expect(
      problems(`Conditions:
  A: !Not [!Condition B]
  B: !And [!Condition C, !Equals [x, x]]
  C: !Condition A
  Fine: !Equals [x, x]
${QUEUE}`),
    ).toEqual(['t.yaml: Conditions.A: circular condition reference: A -> B -> C -> A']);
  });

  it('report malformed expressions', () => {
    expect(
      problems(`Conditions:
  Bare: true
  OneAnd: !And [!Equals [a, a]]
  NotTwo: !Not [!Equals [a, a], !Equals [b, b]]
  EqualsThree: !Equals [a, b, c]
  Unknown: !Condition Nope
${QUEUE}`),
    ).toEqual([
      't.yaml: Conditions.Bare: a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or { Condition: name }',
      't.yaml: Conditions.OneAnd: Fn::And needs a list of 2 to 10 conditions',
      't.yaml: Conditions.NotTwo: Fn::Not needs a list of one condition',
      't.yaml: Conditions.EqualsThree: Fn::Equals needs a list of two values',
      "t.yaml: Conditions.Unknown: unknown condition 'Nope'",
    ]);
  });

  it('cannot reference resources', () => {
    expect(problems(`Conditions:\n  HasQueue: !Equals [!Ref Q, x]\n${QUEUE}`)).toEqual([
      "t.yaml: Conditions.HasQueue.Fn::Equals[0]: Ref to resource 'Q': conditions can only use parameters, pseudo parameters and mappings",
    ]);
  });

  it('leave out a resource whose condition is false, and outputs depending on it with the same condition', () => {
    const text = `Parameters:
  Stage: { Type: String, Default: dev }
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Always:
    Type: AWS::SQS::Queue
  ProdQueue:
    Type: AWS::SQS::Queue
    Condition: IsProd
    DependsOn: Always
  Watcher:
    Type: AWS::SQS::Queue
    Properties:
      Tags:
        - Key: watched
          Value: !If [IsProd, !GetAtt ProdQueue.QueueName, none]
Outputs:
  ProdQueueUrl:
    Condition: IsProd
    Value: !Ref ProdQueue`;
    const dev = load(text);
    expect(dev.resources.map((r) => r.logicalId)).toEqual(['Always', 'Watcher']);
    expect(dev.resources[1]?.dependsOn).toEqual([]);
    expect(dev.outputs).toEqual({});
    const prod = load(text, { parameterOverrides: { Stage: 'prod' } });
    expect(prod.resources.map((r) => r.logicalId)).toEqual(['Always', 'ProdQueue', 'Watcher']);
    expect(prod.resources[1]).toMatchObject({ condition: 'IsProd', dependsOn: ['Always'] });
    expect(prod.resources[2]?.dependsOn).toEqual(['ProdQueue']);
    expect(prod.outputs['ProdQueueUrl']?.condition).toBe('IsProd');
  });

  it('make DependsOn on a resource that is not created an error', () => {
    expect(
      problems(`Conditions:
  Never: !Equals [a, b]
Resources:
  Skipped:
    Type: AWS::SQS::Queue
    Condition: Never
  Waits:
    Type: AWS::SQS::Queue
    DependsOn: [Skipped]`),
    ).toEqual([
      "t.yaml: Resources.Waits.DependsOn: DependsOn 'Skipped', which is not created: its condition 'Never' is false",
    ]);
  });

  it('do not report references to a resource whose own Condition is unknown a second time', () => {
    expect(
      problems(`Resources:
  Lost:
    Type: AWS::SQS::Queue
    Condition: Nope
  User:
    Type: AWS::SQS::Queue
    DependsOn: Lost
    Properties: { QueueName: !GetAtt Lost.QueueName }`),
    ).toEqual(["t.yaml: Resources.Lost.Condition: unknown condition 'Nope'"]);
  });

  it('compare as CloudFormation does: YAML true equals "true", 1 equals "1"', () => {
    const loaded = load(`Conditions:
  Bool: !Equals [true, 'true']
  Num: !Equals [1, '1']
  Lists: !Equals [[a, 1], [a, '1']]
  Different: !Equals ['1.0', 1]
${QUEUE}`);
    expect(loaded.conditions).toEqual({ Bool: true, Num: true, Lists: true, Different: false });
  });
});
