// 1.put-events-condition: every events:PutEvents permission on the bus is limited, with the
// events:source and events:detail-type condition keys, to the detail-types that resource declares
// it puts (its Metadata.Emits, a state machine's putEvents tasks) and that the contract lets this
// extension put (`x-owner`, `x-also-put-by`). The bus trusts no body: who may put a detail-type is
// decided by IAM (AWS checks each entry of a PutEvents), so an extension cannot put a forged
// Validator.NewOrder or a robot's FulfillOrder unless the contract gives it that detail-type.
import { contractEntryFor, EVENT_SOURCE, iamDetailType, mayPut, readExtensionMeta } from '@serverlesspresso/catalog';
import { isObject, type AppScan } from '@serverlesspresso/catalog/bus';
import type { App } from '../repo.js';
import { intrinsic, Names, type RawTemplate } from '../raw.js';
import { violationOf, type Violation } from '../violation.js';
import { list, lower } from './context.js';

const BUS_ARN = "!Sub 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${EventBusName}'";

/** The statement to write, with the detail-types it may put (`owner`: the extension, when it may put none). */
function fixFor(detailTypes: string[], owner: string): string {
  const types = detailTypes.length ? `[${detailTypes.join(', ')}]` : '[<your own detail-types>]';
  const statement = `a Statement: { Effect: Allow, Action: events:PutEvents, Resource: ${BUS_ARN}, Condition: { StringEquals: { events:source: ${EVENT_SOURCE}, events:detail-type: ${types} } } } (StringLike for a family: OrderManager.Order*-COMPLETED)`;
  return detailTypes.length
    ? statement
    : `${statement}; ${owner} may put none of the detail-types it declares: put only events of its own, added to the contract with "x-owner": "${owner}" (extensibility/catalog/schemas)`;
}

/** A condition key's values under the operators that limit it to listed values (StringEquals, StringLike). */
function conditionValues(condition: unknown, key: string, operators: string[]): unknown[] | undefined {
  if (!isObject(condition)) return undefined;
  let found: unknown[] | undefined;
  for (const [operator, keys] of Object.entries(condition)) {
    if (!operators.includes(operator) || !isObject(keys)) continue;
    for (const [k, v] of Object.entries(keys)) if (k.toLowerCase() === key) found = [...(found ?? []), ...list(v)];
  }
  return found;
}

const grantsPutEvents = (s: Record<string, unknown>) =>
  list(s.Action)
    .map(lower)
    .some((a) => a === '*' || a === 'events:*' || a === 'events:putevents');

/**
 * Every PutEvents permission of the extension's functions and state machines (SAM Policies) and
 * of its IAM roles and policies, checked against what each declares and what the contract gives it.
 */
export function putEventsCondition(app: App, raw: RawTemplate, scan: AppScan): Violation[] {
  const names = new Names(raw);
  const owner = readExtensionMeta(app.dir).meta?.name ?? app.name;
  const violations: Violation[] = [];
  const push = (resource: string, property: string, message: string, fix: string) =>
    violations.push(
      violationOf('1.put-events-condition', {
        file: app.path,
        resource,
        property: `Resources.${resource}.${property}`,
        message,
        fix,
      }),
    );
  // What each resource declares it puts, as IAM condition values (a family's placeholder is *).
  const declared = new Map<string, string[]>();
  for (const p of scan.producers) {
    const values = declared.get(p.resource) ?? [];
    values.push(iamDetailType(p.detailType));
    declared.set(p.resource, values);
  }
  const everything = [...new Set([...declared.values()].flat())];
  // A bus the template creates (the core's, the player's with CreateBus), reached by !GetAtt Bus.Arn.
  const ownBuses = new Set(
    Object.entries(raw.resources)
      .filter(([, r]) => r.Type === 'AWS::Events::EventBus')
      .map(([id]) => id),
  );
  const isBus = (r: unknown): boolean => {
    if (r === '*' || names.isBusArnByName(r) || names.isBusByName(r)) return true;
    const fn = intrinsic(r);
    if (fn?.[0] === 'Fn::GetAtt') {
      const [id] = Array.isArray(fn[1]) ? fn[1] : String(fn[1]).split('.');
      return ownBuses.has(String(id));
    }
    // !If [Condition, a, b]: either branch.
    return fn?.[0] === 'Fn::If' && Array.isArray(fn[1]) && fn[1].slice(1).some(isBus);
  };
  const allowedOf = (resource: string | undefined) =>
    [...new Set(resource ? (declared.get(resource) ?? []) : everything)].filter((d) => mayPut(owner, d));

  function statement(resource: string, property: string, s: unknown, declaredBy: string | undefined): void {
    if (!isObject(s) || s.Effect !== 'Allow' || !grantsPutEvents(s)) return;
    const onBus = list(s.Resource).some(isBus);
    if (!onBus) return; // another bus: 1.scoped-policy / 1.own-resources report it
    const allowed = allowedOf(declaredBy);
    const fix = fixFor(allowed, owner);
    const detailTypes = conditionValues(s.Condition, 'events:detail-type', ['StringEquals', 'StringLike']);
    if (detailTypes === undefined) {
      push(
        resource,
        `${property}.Condition`,
        "allows events:PutEvents on the bus for every detail-type, without an events:detail-type condition: it could put any app's events (a forged Validator.NewOrder, a robot's FulfillOrder)",
        fix,
      );
    } else {
      for (const value of detailTypes) {
        if (typeof value !== 'string') {
          push(
            resource,
            `${property}.Condition`,
            `limits events:detail-type with ${JSON.stringify(value)}, not a detail-type written out`,
            fix,
          );
          continue;
        }
        if (allowed.includes(value)) continue;
        const entry = contractEntryFor(value.replace(/\*/g, 'X'));
        const why = !mayPut(owner, value)
          ? entry
            ? `which the contract gives to ${entry.owner}, not to ${owner}`
            : 'which is not a detail-type of the contract'
          : `which ${declaredBy ?? 'the template'} does not declare it puts (Metadata.Emits, putEvents tasks)`;
        push(resource, `${property}.Condition`, `allows events:PutEvents of detail-type ${value}, ${why}`, fix);
      }
    }
    const sources = conditionValues(s.Condition, 'events:source', ['StringEquals']);
    if (sources === undefined || sources.length === 0 || sources.some((v) => v !== EVENT_SOURCE))
      push(
        resource,
        `${property}.Condition`,
        `allows events:PutEvents on the bus ${sources === undefined ? 'without an events:source condition' : `with events:source ${JSON.stringify(sources)}`}: only the contract's source ${EVENT_SOURCE} may be put`,
        fix,
      );
  }

  for (const [logicalId, r] of Object.entries(raw.resources)) {
    const type = String(r.Type);
    const props = r.Properties ?? {};
    if (type === 'AWS::Serverless::Function' || type === 'AWS::Serverless::StateMachine') {
      const policies = props.Policies;
      list(policies).forEach((p, i) => {
        const at = `Properties.Policies${Array.isArray(policies) ? `[${i}]` : ''}`;
        if (!isObject(p)) return;
        if ('EventBridgePutEventsPolicy' in p) {
          // Another bus than the shared one by name is 1.bus-by-name's.
          const template = p.EventBridgePutEventsPolicy;
          if (!names.isBusByName(isObject(template) ? template.EventBusName : undefined)) return;
          push(
            logicalId,
            `${at}.EventBridgePutEventsPolicy`,
            "EventBridgePutEventsPolicy allows events:PutEvents of every detail-type on the bus: it could put any app's events (a forged Validator.NewOrder, a robot's FulfillOrder)",
            `replace it with ${fixFor(allowedOf(logicalId), owner)}`,
          );
          return;
        }
        if ('Statement' in p)
          list(p.Statement).forEach((s, j) =>
            statement(logicalId, `${at}.Statement${Array.isArray(p.Statement) ? `[${j}]` : ''}`, s, logicalId),
          );
      });
    }
    if (type === 'AWS::IAM::Role')
      list(props.Policies).forEach((p, i) => {
        if (isObject(p) && isObject(p.PolicyDocument))
          list(p.PolicyDocument.Statement).forEach((s, j) =>
            statement(logicalId, `Properties.Policies[${i}].PolicyDocument.Statement[${j}]`, s, undefined),
          );
      });
    if (type === 'AWS::IAM::Policy' || type === 'AWS::IAM::ManagedPolicy') {
      const doc = props.PolicyDocument;
      if (isObject(doc))
        list(doc.Statement).forEach((s, j) =>
          statement(logicalId, `Properties.PolicyDocument.Statement[${j}]`, s, undefined),
        );
    }
  }
  return violations;
}
