// The contract checker accepts the model, every extension of the repo and a good fixture, and rejects
// a small broken example of each rule with a message naming the rule, the resource and the property.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { appAt, discoverApps, scanApp } from '@serverlesspresso/catalog/bus';
import { REPO_ROOT } from '@serverlesspresso/catalog/page';
import {
  CHECKS,
  checkExtension,
  formatViolation,
  formatWaived,
  putEventsCondition,
  type CheckId,
} from '../src/index.js';
import { readRaw } from '../src/raw.js';

const fixtures = new URL('./fixtures/repo/', import.meta.url).pathname;
const check = (name: string) => checkExtension(join(fixtures, 'extensions', name), { root: fixtures });
/** What a test asserts of a violation: its check (and so its rule), resource, property, and a telling part of message and fix. */
const violation = (id: CheckId, resource: string, property: string, message: string, fix: string) =>
  expect.objectContaining({
    id,
    rule: CHECKS[id].rule,
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

  it('a state machine that puts an event of the contract it owns on the bus by its name, limited to it by IAM conditions', () => {
    const report = check('order-robot');
    expect(report.violations).toEqual([]);
    expect(report.emits).toEqual(['OrderRobot.FulfillOrder']);
    expect(report.consumes).toEqual(['OrderManager.WaitingCompletion']);
  });
});

describe('rule 1: the extension touches no resource outside its own template', () => {
  it('rejects Fn::ImportValue', () => {
    expect(check('r1-import-value').violations).toEqual([
      violation(
        '1.own-resources',
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
        '1.own-resources',
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
        '1.own-resources',
        'Fn',
        'Resources.Fn.Properties.Policies[0].Statement[0].Resource',
        'names a resource by a literal ARN (arn:${AWS::Partition}:dynamodb:',
        '!Ref / !GetAtt',
      ),
      violation(
        '1.own-resources',
        'Fn',
        'Resources.Fn.Properties.Policies[0].Statement[0].Resource',
        `names "serverlesspresso-order-table", core's AWS::DynamoDB::Table OrderTable (core/template.yaml)`,
        'reach other apps only through the bus',
      ),
      violation(
        '1.own-resources',
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
        '1.scoped-policy',
        'Fn',
        'Resources.Fn.Properties.Policies[0]',
        "the managed policy AmazonDynamoDBFullAccess is not scoped to this extension's resources",
        'DynamoDBWritePolicy: { TableName: !Ref MyTable }',
      ),
      violation(
        '1.scoped-policy',
        'Fn',
        'Resources.Fn.Properties.Policies[1].Statement[0].Resource',
        'grants dynamodb:getitem on every resource ("*")',
        'Resource: !GetAtt MyTable.Arn',
      ),
      violation(
        '1.scoped-policy',
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
        '1.bus-by-name',
        'Fn',
        'Resources.Fn.Properties.Policies[0].EventBridgePutEventsPolicy.EventBusName',
        'puts events on a bus given as "Orders", not on the Serverlesspresso bus by its name',
        'EventBusName: !Ref EventBusName',
      ),
      violation(
        '1.bus-by-name',
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
        '1.bus-by-name',
        'Robot',
        'Resources.Robot.Properties.Definition (state "Fulfil", Entries[0].EventBusName)',
        'puts events on the bus by its ARN (arn:aws:events:us-east-1:000000000000:event-bus/Serverlesspresso)',
        'DefinitionSubstitutions: { EventBusName: !Ref EventBusName }',
      ),
    ]);
  });

  it("rejects PutEvents permissions not limited to the extension's own detail-types, naming the statement to write", () => {
    const fix =
      'Condition: { StringEquals: { events:source: awsserverlessda.serverlesspresso, events:detail-type: [<your own detail-types>] } }';
    expect(check('r1-put-events-condition').violations).toEqual([
      violation(
        '1.put-events-condition',
        'Broad',
        'Resources.Broad.Properties.Policies[0].EventBridgePutEventsPolicy',
        'EventBridgePutEventsPolicy allows events:PutEvents of every detail-type on the bus',
        `replace it with a Statement: { Effect: Allow, Action: events:PutEvents, Resource: !Sub 'arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/\${EventBusName}', ${fix}`,
      ),
      violation(
        '1.put-events-condition',
        'Unconditioned',
        'Resources.Unconditioned.Properties.Policies[0].Statement[0].Condition',
        'allows events:PutEvents on the bus for every detail-type, without an events:detail-type condition',
        fix,
      ),
      violation(
        '1.put-events-condition',
        'Unconditioned',
        'Resources.Unconditioned.Properties.Policies[0].Statement[0].Condition',
        'without an events:source condition',
        fix,
      ),
      violation(
        '1.put-events-condition',
        'Forger',
        'Resources.Forger.Properties.Policies[0].Statement[0].Condition',
        'allows events:PutEvents of detail-type Validator.NewOrder, which the contract gives to core, not to R1PutEventsCondition',
        'added to the contract with "x-owner": "R1PutEventsCondition"',
      ),
    ]);
  });

  it("holds the core and the player to it too: the core's grants are its own detail-types; the player's is the one wide grant", () => {
    const grants = (dir: string) => {
      const app = appAt(join(REPO_ROOT, dir), REPO_ROOT);
      return putEventsCondition(app, readRaw(app.templateFile), scanApp(app));
    };
    expect(grants('core').map(formatViolation)).toEqual([]);
    // The EventPlayer replays everyone's events: every detail-type, the contract's source only (its README says why).
    expect(grants('extensibility/EventPlayer')).toEqual([
      violation(
        '1.put-events-condition',
        'EventPlayer',
        'Resources.EventPlayer.Properties.Policies[1].Statement[0].Condition',
        'allows events:PutEvents on the bus for every detail-type, without an events:detail-type condition',
        'events:source: awsserverlessda.serverlesspresso',
      ),
    ]);
  });

  it('rejects creating the shared bus', () => {
    expect(check('r1-creates-bus').violations).toEqual([
      violation(
        '1.no-shared-bus',
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
        '1.own-resources',
        'Forward',
        'Resources.Forward.Properties.Targets[0].Arn',
        'names a resource by a literal ARN (arn:${AWS::Partition}:states:',
        '!Ref / !GetAtt',
      ),
      violation(
        '1.own-resources',
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
        '2.routes-contract-event',
        '(template)',
        'Resources',
        'has no rule on the Serverlesspresso bus',
        'EventBridgeRule event with EventBusName: !Ref EventBusName',
      ),
    ]);
  });

  it('rejects a dead rule, with the detail-types it probably meant', () => {
    expect(check('r2-dead-rule').violations).toEqual([
      violation(
        '2.routes-contract-event',
        'Fn',
        'Resources.Fn.Properties.Events.Made.Properties.Pattern',
        'rule FnMade on the Serverlesspresso bus matches no event of the contract (a dead rule)',
        'did you mean detail-type {"wildcard": "OrderManager.Order*-COMPLETED"}',
      ),
    ]);
    expect(check('r2-dead-rule').violations[0]!.fix).toContain(
      'match a detail-type of extensibility/catalog/CATALOG.md',
    );
  });

  it('rejects a pattern EventBridge refuses, with its reason', () => {
    expect(check('r2-invalid-pattern').violations).toEqual([
      violation(
        '2.routes-contract-event',
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
        '2.emits-contract-event',
        'Fn',
        'Resources.Fn.Metadata.Emits[0]',
        '"Coffee.Spilled" is not a detail-type of the contract',
        'add the event to the contract',
      ),
      violation(
        '2.emits-contract-event',
        'Fn',
        'Resources.Fn.Metadata.Emits[0]',
        'declares "Coffee.Spilled" but its code (../../handlers/record.ts) never names it',
        'remove it from Emits',
      ),
      violation(
        '2.emits-contract-event',
        'Maker',
        'Resources.Maker.Metadata.Emits',
        'may put events on the Serverlesspresso bus (its policies allow events:PutEvents) but does not declare which',
        'Metadata: Emits: [...]',
      ),
    ]);
  });
});

describe('meta.extension-json: what the extension says of itself', () => {
  const meta = (property: string, message: string, fix: string) =>
    violation('meta.extension-json', 'extension.json', property, message, fix);

  it('rejects a missing extension.json', () => {
    expect(check('meta-missing').violations).toEqual([
      meta('(file)', 'extension.json is missing', 'write extension.json as the model has it'),
    ]);
  });

  it('rejects an extension.json the schema refuses, saying where', () => {
    expect(check('meta-invalid').violations).toEqual([
      meta('/author', 'is required but missing', 'extension.schema.json'),
      meta('/version', 'is not a field of extension.json', 'extension.schema.json'),
      meta('/services/2', 'must be one of "API Gateway", ', 'extension.schema.json'),
    ]);
  });

  it('rejects an extension.json that says other than its template', () => {
    const { violations } = check('meta-disagrees');
    expect(violations).toEqual([
      meta('/name', 'is "SomethingElse", not the folder\'s name "meta-disagrees"', '"name": "meta-disagrees"'),
      meta(
        '/events/consumed',
        'lists "OrderManager.MakeOrder", but the template\'s rules consume "OrderManager.WaitingCompletion"',
        '"consumed": ["OrderManager.WaitingCompletion"]',
      ),
      meta(
        '/events/produced',
        'lists nothing, but the template declares it puts "OrderRobot.FulfillOrder"',
        '"produced": ["OrderRobot.FulfillOrder"]',
      ),
      meta('/services', 'misses "DynamoDB", which the template uses', 'add "DynamoDB" to "services"'),
    ]);
    expect(violations[0]!.file).toBe('extensions/meta-disagrees/extension.json');
  });
});

describe('waivers: a check waived by its id, with a reason, in the Metadata', () => {
  it('sets aside what the waived check finds on that resource, and says so', () => {
    const report = check('waived-policy');
    expect(report.violations).toEqual([]);
    expect(report.waived).toEqual([
      expect.objectContaining({
        id: '1.scoped-policy',
        resource: 'Fn',
        reason: 'reads the orders table of a sister app during a migration',
        violations: [
          expect.objectContaining({ id: '1.scoped-policy', property: 'Resources.Fn.Properties.Policies[0]' }),
          expect.objectContaining({
            id: '1.scoped-policy',
            property: 'Resources.Fn.Properties.Policies[1].Statement[0].Resource',
          }),
          expect.objectContaining({
            id: '1.scoped-policy',
            property: 'Resources.Fn.Properties.Policies[2].DynamoDBReadPolicy.TableName',
          }),
        ],
      }),
    ]);
    expect(formatWaived(report.waived[0]!)).toBe(
      'waived 1.scoped-policy on Fn: reads the orders table of a sister app during a migration',
    );
  });

  it('rejects a waiver of an unknown id, without a reason, or of a check that cannot be waived', () => {
    const report = check('bad-waivers');
    expect(report.violations).toEqual([
      violation(
        '1.scoped-policy',
        'Fn',
        'Resources.Fn.Properties.Policies[0]',
        'AmazonDynamoDBFullAccess',
        'DynamoDBWritePolicy',
      ),
      violation(
        '1.scoped-policy',
        'Fn',
        'Resources.Fn.Properties.Policies[1].Statement[0].Resource',
        'on every resource',
        'Resource:',
      ),
      violation(
        '1.scoped-policy',
        'Fn',
        'Resources.Fn.Properties.Policies[2].DynamoDBReadPolicy.TableName',
        'not a resource of this template',
        'TableName',
      ),
      violation(
        'meta.waiver',
        '(template)',
        'Metadata.Checks.Waive[0]',
        'waives "1.scoped-policies", which is not the id of a check',
        "the checker's README",
      ),
      violation(
        'meta.waiver',
        '(template)',
        'Metadata.Checks.Waive[1]',
        'waives 1.scoped-policy without a reason',
        'Reason',
      ),
      violation(
        'meta.waiver',
        '(template)',
        'Metadata.Checks.Waive[2]',
        'waives template.loads, which cannot be waived',
        'remove the waiver',
      ),
    ]);
    expect(report.waived.map(formatWaived)).toEqual([
      'waived 2.emits-contract-event on (template): emits nothing yet (nothing to waive: the check passes)',
      'waived 3.core-unchanged on (template): rule 3 is not run here (the check runs with --isolation)',
    ]);
  });
});

describe('check ids', () => {
  it('are documented once each, with their fix, in the README table, and every id there is a check', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| `([a-z0-9]+\.[a-z-]+)` \|[^|\n]+\|([^|\n]+)\|$/gm)];
    expect(rows.map((r) => r[1]).sort()).toEqual(Object.keys(CHECKS).sort());
    for (const [, , fix] of rows) expect(fix!.trim().length).toBeGreaterThan(10);
  });

  it('name every violation of the broken fixtures', () => {
    const ids = readdirSync(join(fixtures, 'extensions')).flatMap((name) => check(name).violations.map((v) => v.id));
    expect(ids.every((id) => Object.hasOwn(CHECKS, id))).toBe(true);
    expect(new Set(ids).size).toBeGreaterThan(6);
  });
});

describe('the report', () => {
  it('prints the rule, the resource, the property relative to it, the message and the fix', () => {
    const [first] = check('r1-creates-bus').violations;
    expect(formatViolation(first!)).toBe(
      '1.no-shared-bus (rule 1, only its own resources): Bus: Properties.Name: creates the Serverlesspresso bus, which belongs to the core (or the EventPlayer deployed alone)\n' +
        '    fix: remove the bus: deploy the core or the EventPlayer first, and name the bus with the EventBusName parameter',
    );
  });

  it("reports a template that does not load as such, with the loader's message, instead of throwing", () => {
    expect(check('broken-template').violations).toEqual([
      violation(
        'template.loads',
        'Fn',
        'Resources.Fn.Properties.Environment.Variables.TABLE',
        "Ref to unknown parameter or resource 'MissingTable'",
        '`sam validate` and `presso deploy` refuse it too',
      ),
    ]);
    expect(() => checkExtension(join(fixtures, 'nowhere'), { root: fixtures })).toThrow('has no template.yaml');
  });
});
