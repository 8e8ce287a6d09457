// The contract checker accepts the model, every extension of the repo and a good fixture, and rejects
// a small broken example of each rule with a message naming the rule, the resource and the property.
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { discoverApps } from '@serverlesspresso/catalog/bus';
import { REPO_ROOT } from '@serverlesspresso/catalog/page';
import { checkExtension, formatViolation, type Violation } from '../src/index.js';

const fixtures = new URL('./fixtures/repo/', import.meta.url).pathname;
const check = (name: string) => checkExtension(join(fixtures, 'extensions', name), { root: fixtures });
/** What a test asserts of a violation: rule, resource, property, and a telling part of message and fix. */
const violation = (rule: Violation['rule'], resource: string, property: string, message: string, fix: string) =>
  expect.objectContaining({
    rule,
    resource,
    property,
    message: expect.stringContaining(message),
    fix: expect.stringContaining(fix),
  });

// The model and every extension of the repo: all of them must pass.
const extensionsOfRepo = discoverApps(REPO_ROOT)
  .filter((a) => a.kind === 'model' || a.kind === 'extension')
  .map((a) => relative(REPO_ROOT, a.dir));

describe('the checker accepts', () => {
  it.each(extensionsOfRepo)('%s (rules 1 and 2)', (dir) => {
    const report = checkExtension(join(REPO_ROOT, dir));
    expect(report.violations.map(formatViolation)).toEqual([]);
    expect(report.consumes.length).toBeGreaterThan(0);
  });

  it('the model, saying what it consumes and emits', () => {
    const report = checkExtension(join(REPO_ROOT, '_extension_model'));
    expect(report.consumes).toEqual(['OrderManager.Order{eventId}-COMPLETED']);
    expect(report.emits).toEqual([]);
  });

  it('a state machine that puts an event of the contract on the bus by its name', () => {
    const report = check('good-state-machine');
    expect(report.violations).toEqual([]);
    expect(report.emits).toEqual(['OrderRobot.FulfillOrder']);
    expect(report.consumes).toEqual(['OrderManager.WaitingCompletion']);
  });
});

describe('rule 1: the extension touches no resource outside its own template', () => {
  it('rejects Fn::ImportValue', () => {
    expect(check('r1-import-value').violations).toEqual([
      violation(
        1,
        'Fn',
        'Resources.Fn.Properties.Environment.Variables.ORDERS',
        'imports "serverlesspresso-core-OrderTable" from another stack (Fn::ImportValue)',
        'reach other apps only through the bus',
      ),
    ]);
  });

  it('rejects a literal ARN', () => {
    expect(check('r1-literal-arn').violations).toEqual([
      violation(
        1,
        'Fn',
        'Resources.Fn.Properties.Policies[0].Statement[0].Resource',
        'names a resource by a literal ARN (arn:aws:dynamodb:us-east-1:123456789012:table/orders)',
        '!Ref / !GetAtt',
      ),
    ]);
  });

  it("rejects the core's resource names, as a value and inside an ARN", () => {
    expect(check('r1-core-name').violations).toEqual([
      violation(
        1,
        'Fn',
        'Resources.Fn.Properties.Policies[0].Statement[0].Resource',
        'names a resource by a literal ARN (arn:${AWS::Partition}:dynamodb:',
        '!Ref / !GetAtt',
      ),
      violation(
        1,
        'Fn',
        'Resources.Fn.Properties.Policies[0].Statement[0].Resource',
        `names "serverlesspresso-order-table", core's AWS::DynamoDB::Table OrderTable (core/template.yaml)`,
        'reach other apps only through the bus',
      ),
      violation(
        1,
        'Fn',
        'Resources.Fn.Properties.Environment.Variables.ORDERS',
        `names "serverlesspresso-order-table", core's AWS::DynamoDB::Table OrderTable`,
        'reach other apps only through the bus',
      ),
    ]);
  });

  it('rejects policies that reach beyond its own resources', () => {
    expect(check('r1-broad-policies').violations).toEqual([
      violation(
        1,
        'Fn',
        'Resources.Fn.Properties.Policies[0]',
        "the managed policy AmazonDynamoDBFullAccess is not scoped to this extension's resources",
        'DynamoDBWritePolicy: { TableName: !Ref MyTable }',
      ),
      violation(
        1,
        'Fn',
        'Resources.Fn.Properties.Policies[1].Statement[0].Resource',
        'grants dynamodb:getitem on every resource ("*")',
        'Resource: !GetAtt MyTable.Arn',
      ),
      violation(
        1,
        'Fn',
        'Resources.Fn.Properties.Policies[2].DynamoDBReadPolicy.TableName',
        'DynamoDBReadPolicy on !Ref OrdersTableName, which is not a resource of this template',
        'TableName: !Ref <a resource of this template>',
      ),
    ]);
  });

  it('rejects the bus reached by ARN for a rule, and PutEvents on a bus other than the shared one by name', () => {
    expect(check('r1-bus-by-arn').violations).toEqual([
      violation(
        1,
        'Fn',
        'Resources.Fn.Properties.Policies[0].EventBridgePutEventsPolicy.EventBusName',
        'puts events on a bus given as "Orders", not on the Serverlesspresso bus by its name',
        'EventBusName: !Ref EventBusName',
      ),
      violation(
        1,
        'Fn',
        'Resources.Fn.Properties.Events.Made.Properties.EventBusName',
        "reaches the bus as !Sub 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${EventBusName}', not by its name",
        'EventBusName: !Ref EventBusName',
      ),
    ]);
  });

  it('rejects a state machine putting events on the bus by its ARN', () => {
    expect(check('r1-state-machine-bus-arn').violations).toEqual([
      violation(
        1,
        'Robot',
        'Resources.Robot.Properties.Definition (state "Fulfil", Entries[0].EventBusName)',
        'puts events on the bus by its ARN (arn:aws:events:us-east-1:000000000000:event-bus/Serverlesspresso)',
        'DefinitionSubstitutions: { EventBusName: !Ref EventBusName }',
      ),
    ]);
  });

  it('rejects creating the shared bus', () => {
    expect(check('r1-creates-bus').violations).toEqual([
      violation(
        1,
        'Bus',
        'Resources.Bus.Properties.Name',
        'creates the Serverlesspresso bus, which belongs to the core',
        'remove the bus',
      ),
    ]);
  });

  it("rejects a rule delivering to the core's state machine", () => {
    expect(check('r1-foreign-target').violations).toEqual([
      violation(
        1,
        'Forward',
        'Resources.Forward.Properties.Targets[0].Arn',
        'names a resource by a literal ARN (arn:${AWS::Partition}:states:',
        '!Ref / !GetAtt',
      ),
      violation(
        1,
        'Forward',
        'Resources.Forward.Properties.Targets[0].Arn',
        `names "serverlesspresso-order-manager", core's AWS::Serverless::StateMachine OrderManagerStateMachine`,
        'reach other apps only through the bus',
      ),
    ]);
  });
});

describe('rule 2: at least one new rule on the bus matching an event of the contract', () => {
  it('rejects an extension without a rule on the bus', () => {
    expect(check('r2-no-rule').violations).toEqual([
      violation(
        2,
        '(template)',
        'Resources',
        'has no rule on the Serverlesspresso bus',
        'EventBridgeRule event with EventBusName: !Ref EventBusName',
      ),
    ]);
  });

  it('rejects a dead rule', () => {
    expect(check('r2-dead-rule').violations).toEqual([
      violation(
        2,
        'Fn',
        'Resources.Fn.Properties.Events.Made.Properties.Pattern',
        'rule FnMade on the Serverlesspresso bus matches no event of the contract (a dead rule)',
        'match a detail-type of extensibility/catalog/CATALOG.md',
      ),
    ]);
  });

  it('rejects a pattern EventBridge refuses, with its reason', () => {
    expect(check('r2-invalid-pattern').violations).toEqual([
      violation(
        2,
        'Fn',
        'Resources.Fn.Properties.Events.Made.Properties.Pattern',
        'Event pattern is not valid. Reason: prefix match pattern must be a string',
        'correct the pattern',
      ),
    ]);
  });

  it('rejects emitting outside the contract, and Emits that the code or the policies do not bear out', () => {
    expect(check('r2-emits').violations).toEqual([
      violation(
        2,
        'Fn',
        'Resources.Fn.Metadata.Emits[0]',
        '"Coffee.Spilled" is not a detail-type of the contract',
        'add the event to the contract',
      ),
      violation(
        2,
        'Fn',
        'Resources.Fn.Metadata.Emits[0]',
        'declares "Coffee.Spilled" but its code (../../handlers/record.ts) never names it',
        'remove it from Emits',
      ),
      violation(
        2,
        'Maker',
        'Resources.Maker.Metadata.Emits',
        'may put events on the Serverlesspresso bus (its policies allow events:PutEvents) but does not declare which',
        'Metadata: Emits: [...]',
      ),
    ]);
  });
});

describe('the report', () => {
  it('prints the rule, the resource, the property relative to it, the message and the fix', () => {
    const [first] = check('r1-creates-bus').violations;
    expect(formatViolation(first!)).toBe(
      'rule 1 (only its own resources): Bus: Properties.Name: creates the Serverlesspresso bus, which belongs to the core (or the EventPlayer deployed alone)\n' +
        '    fix: remove the bus: deploy the core or the EventPlayer first, and name the bus with the EventBusName parameter',
    );
  });

  it("reports a template that does not load as such, with the loader's message, instead of throwing", () => {
    expect(check('broken-template').violations).toEqual([
      violation(
        'template',
        'Fn',
        'Resources.Fn.Properties.Environment.Variables.TABLE',
        "Ref to unknown parameter or resource 'MissingTable'",
        '`sam validate` and `presso deploy` refuse it too',
      ),
    ]);
    expect(() => checkExtension(join(fixtures, 'nowhere'), { root: fixtures })).toThrow('has no template.yaml');
  });
});
