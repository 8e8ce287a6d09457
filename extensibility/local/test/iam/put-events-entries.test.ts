// PutEvents is authorized entry by entry, as AWS does: the events:source and events:detail-type
// condition keys are each entry's own; an entry the role may not put fails alone in the answer
// (NotAuthorizedForSourceException, NotAuthorizedForDetailTypeException), and the request fails
// with AccessDeniedException only when the role may not put events on the bus at all.
import { describe, expect, it } from '@jest/globals';
import { AwsError } from '../../src/edge/errors.js';
import type { EdgeRequest } from '../../src/edge/types.js';
import { Iam } from '../../src/iam/iam.js';
import { compilePolicy, evaluate, type Caller } from '../../src/iam/policy/evaluate.js';
import { eventsAuthorizer } from '../../src/services/events/iam.js';

const ACCOUNT = { region: 'us-east-1', accountId: '123456789012' };
const BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/Serverlesspresso';
const ROLE = 'arn:aws:iam::123456789012:role/robot-FnRole-X';
const SESSION = 'arn:aws:sts::123456789012:assumed-role/robot-FnRole-X/robot-Fn';
const role: Caller = { kind: 'role', roleArn: ROLE, sessionArn: SESSION };

/** The OrderRobot's grant: its own source and detail-types on the bus. */
const OWN_EVENTS = {
  Effect: 'Allow',
  Action: 'events:PutEvents',
  Resource: BUS,
  Condition: {
    StringEquals: {
      'events:source': 'awsserverlessda.serverlesspresso',
      'events:detail-type': ['OrderRobot.FulfillOrder', 'ProducerRobot.FulfillOrder'],
    },
  },
};

describe('evaluation with condition keys left open (unknownKeys)', () => {
  const policy = (statements: unknown[]) => [compilePolicy('P', { Statement: statements })];
  const request = (context: Record<string, string>) => ({
    caller: role,
    action: 'events:PutEvents',
    resource: BUS,
    context,
  });

  it('an Allow conditioned on an open key could allow: Allow', () => {
    expect(
      evaluate(request({}), policy([OWN_EVENTS]), [], { unknownKeys: ['events:source', 'events:detail-type'] })
        .decision,
    ).toBe('Allow');
  });

  it('still checks the keys it is given', () => {
    const decision = evaluate(request({ 'events:source': 'someone.else' }), policy([OWN_EVENTS]), [], {
      unknownKeys: ['events:detail-type'],
    });
    expect(decision.decision).toBe('ImplicitDeny');
  });

  it('a Deny conditioned on an open key does not deny; an unconditional one does', () => {
    const denyForged = {
      Effect: 'Deny',
      Action: 'events:PutEvents',
      Resource: '*',
      Condition: { StringEquals: { 'events:detail-type': 'Validator.NewOrder' } },
    };
    const open = { unknownKeys: ['events:detail-type'] };
    expect(evaluate(request({}), policy([OWN_EVENTS, denyForged]), [], open).decision).toBe('ImplicitDeny');
    const allowAll = { Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS };
    expect(evaluate(request({}), policy([allowAll, denyForged]), [], open).decision).toBe('Allow');
    const denyAll = { Effect: 'Deny', Action: 'events:PutEvents', Resource: '*' };
    expect(evaluate(request({}), policy([allowAll, denyAll]), [], open).decision).toBe('ExplicitDeny');
  });

  it('without open keys, a missing key fails a StringEquals as before', () => {
    expect(evaluate(request({}), policy([OWN_EVENTS])).decision).toBe('ImplicitDeny');
  });
});

function iamWith(statements: unknown[], mode: 'enforce' | 'audit' = 'enforce') {
  const iam = new Iam(ACCOUNT, { mode });
  iam.putRole({
    roleName: 'robot-FnRole-X',
    sessionName: 'robot-Fn',
    stack: 'robot',
    policies: [{ name: 'P', document: { Statement: statements } }],
  });
  iam.registerAuthorizer('events', eventsAuthorizer(ACCOUNT));
  return { iam, caller: iam.callerForRole('robot-FnRole-X')! };
}

const putEvents = (entries: Array<Record<string, string>>): EdgeRequest => ({
  method: 'POST',
  path: '/',
  query: new URLSearchParams(),
  headers: { 'x-amz-target': 'AWSEvents.PutEvents' },
  body: Buffer.from(JSON.stringify({ Entries: entries })),
});
const authorize = (iam: Iam, caller: Caller, entries: Array<Record<string, string>>) =>
  iam.authorizeRequest(caller, 'events', putEvents(entries), 'PutEvents', { Entries: entries });

const entry = (DetailType: string, Source = 'awsserverlessda.serverlesspresso') => ({
  EventBusName: 'Serverlesspresso',
  Source,
  DetailType,
  Detail: '{}',
});

describe('a PutEvents request, entry by entry', () => {
  it('passes entries of the detail-types and source the condition names', () => {
    const { iam, caller } = iamWith([OWN_EVENTS]);
    expect(authorize(iam, caller, [entry('OrderRobot.FulfillOrder'), entry('ProducerRobot.FulfillOrder')]).size).toBe(
      0,
    );
  });

  it('fails an entry of another detail-type alone, with NotAuthorizedForDetailTypeException and a sentence saying what to do', () => {
    const { iam, caller } = iamWith([OWN_EVENTS]);
    const denied = authorize(iam, caller, [entry('OrderRobot.FulfillOrder'), entry('Validator.NewOrder')]);
    expect([...denied.keys()]).toEqual([1]);
    expect(denied.get(1)).toEqual({
      code: 'NotAuthorizedForDetailTypeException',
      message: `User: ${SESSION} is not authorized to perform: events:PutEvents on resource: ${BUS} with events:detail-type "Validator.NewOrder" because no identity-based policy allows that events:detail-type. Send only the values the role's events:PutEvents statement names in its Condition on events:detail-type, or add this one there.`,
    });
    // Recorded as any denial: `presso iam` lists it.
    expect(iam.report('robot-FnRole-X')[0]!.denied).toEqual([
      expect.objectContaining({ action: 'events:PutEvents', resource: BUS, enforced: true }),
    ]);
  });

  it('fails an entry of another source with NotAuthorizedForSourceException, whatever its detail-type', () => {
    const { iam, caller } = iamWith([OWN_EVENTS]);
    const denied = authorize(iam, caller, [entry('OrderRobot.FulfillOrder', 'someone.else'), entry('Nope', 'x')]);
    expect(denied.get(0)?.code).toBe('NotAuthorizedForSourceException');
    expect(denied.get(1)?.code).toBe('NotAuthorizedForSourceException');
  });

  it('fails an entry an explicit deny refuses, saying so', () => {
    const { iam, caller } = iamWith([
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS },
      {
        Effect: 'Deny',
        Action: 'events:PutEvents',
        Resource: '*',
        Condition: { StringLike: { 'events:detail-type': 'Validator.*' } },
      },
    ]);
    const denied = authorize(iam, caller, [entry('Validator.NewOrder')]);
    expect(denied.get(0)?.code).toBe('NotAuthorizedForDetailTypeException');
    expect(denied.get(0)?.message).toContain('because an explicit deny in an identity-based policy refuses that');
  });

  it('refuses the whole request with AccessDeniedException when the role may not put on the bus at all', () => {
    const { iam, caller } = iamWith([{ ...OWN_EVENTS, Resource: `${BUS}-other` }]);
    expect(() => authorize(iam, caller, [entry('OrderRobot.FulfillOrder')])).toThrow(AwsError);
    expect(() => authorize(iam, caller, [entry('OrderRobot.FulfillOrder')])).toThrow(
      `User: ${SESSION} is not authorized to perform: events:PutEvents on resource: ${BUS} because no identity-based policy allows the events:PutEvents action`,
    );
  });

  it('in audit mode puts every entry and records the would-be denial', () => {
    const { iam, caller } = iamWith([OWN_EVENTS], 'audit');
    expect(authorize(iam, caller, [entry('Validator.NewOrder')]).size).toBe(0);
    expect(iam.report('robot-FnRole-X')[0]!.denied).toEqual([expect.objectContaining({ enforced: false })]);
  });
});
