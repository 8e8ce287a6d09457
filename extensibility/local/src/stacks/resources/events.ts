// AWS::Events::EventBus and AWS::Events::Rule, and the rules SAM creates for EventBridgeRule and
// Schedule events: created through the EventBridge service's own operations, so the same
// validation (patterns, targets, transformers) applies as for the API.
import { InvalidScheduleExpressionError } from '../../services/events/schedule.js';
import type { EventsService } from '../../services/events/service.js';
import type { SamRuleEvent } from '../template/index.js';
import { DeployError, type DeployContext, type ResourceHandler } from '../model.js';

const busName = (value: unknown) => (typeof value === 'string' && value.startsWith('arn:') ? value.slice(value.lastIndexOf('/') + 1) : (value as string | undefined) ?? 'default');

export function eventBusHandler(events: EventsService): ResourceHandler {
  return async (resource, ctx) => {
    const name = resource.physicalId;
    if (events.buses.has(name)) {
      throw new DeployError(ctx.template.file, resource.logicalId, 'Name', `Event bus ${name} already exists (another stack owns it).`);
    }
    events.createBus(name, resource.properties.Description as string | undefined);
    ctx.onDelete(() => void events.buses.delete(name));
  };
}

export interface RuleSpec {
  name: string;
  bus: string;
  eventPattern?: unknown;
  scheduleExpression?: string;
  state?: string;
  description?: string;
  targets: Array<Record<string, unknown>>;
}

/** Puts a rule and its targets; a failed target fails the deploy with its reason. */
export async function putRule(events: EventsService, spec: RuleSpec, ctx: DeployContext, logicalId: string, property: string): Promise<void> {
  const call = (operation: string, input: Record<string, unknown>) => events.handle(operation, input, undefined as never);
  try {
    await call('PutRule', {
      Name: spec.name, EventBusName: spec.bus, State: spec.state ?? 'ENABLED',
      ...(spec.eventPattern !== undefined ? { EventPattern: typeof spec.eventPattern === 'string' ? spec.eventPattern : JSON.stringify(spec.eventPattern) } : {}),
      ...(spec.scheduleExpression ? { ScheduleExpression: spec.scheduleExpression } : {}),
      ...(spec.description ? { Description: spec.description } : {}),
    });
  } catch (e) {
    // AWS's text for a bad schedule says no more; the deploy adds why.
    const reason = e instanceof InvalidScheduleExpressionError ? ` (${e.reason})` : '';
    throw new DeployError(ctx.template.file, logicalId, property, `${(e as Error).message}${reason}`);
  }
  const removeRule = async () => {
    const ids = spec.targets.map((t) => t.Id);
    if (ids.length) await call('RemoveTargets', { Rule: spec.name, EventBusName: spec.bus, Ids: ids }).catch(() => undefined);
    await call('DeleteRule', { Name: spec.name, EventBusName: spec.bus }).catch(() => undefined);
  };
  ctx.onDelete(removeRule);
  if (spec.targets.length === 0) return;
  let out: { FailedEntryCount: number; FailedEntries: Array<{ TargetId: string; ErrorMessage: string }> };
  try {
    out = (await call('PutTargets', { Rule: spec.name, EventBusName: spec.bus, Targets: spec.targets })) as typeof out;
  } catch (e) {
    throw new DeployError(ctx.template.file, logicalId, `${property === 'EventPattern' ? 'Targets' : property}`, (e as Error).message);
  }
  if (out.FailedEntryCount > 0) {
    const f = out.FailedEntries[0]!;
    throw new DeployError(ctx.template.file, logicalId, 'Targets', `target ${f.TargetId}: ${f.ErrorMessage}`);
  }
}

export function ruleHandler(events: EventsService): ResourceHandler {
  return async (resource, ctx) => {
    const p = resource.properties;
    const name = resource.physicalId.includes('|') ? resource.physicalId.split('|')[1]! : resource.physicalId;
    await putRule(events, {
      name, bus: busName(p.EventBusName), eventPattern: p.EventPattern, scheduleExpression: p.ScheduleExpression as string | undefined,
      state: p.State as string | undefined, description: p.Description as string | undefined,
      targets: ((p.Targets as Array<Record<string, unknown>> | undefined) ?? []).map(targetOf),
    }, ctx, resource.logicalId, p.EventPattern !== undefined ? 'EventPattern' : 'ScheduleExpression');
  };
}

function targetOf(t: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { Id: t.Id, Arn: t.Arn };
  for (const key of ['Input', 'InputPath', 'InputTransformer', 'RetryPolicy', 'DeadLetterConfig', 'RoleArn']) if (t[key] !== undefined) out[key] = t[key];
  return out;
}

/** The rule a SAM EventBridgeRule/CloudWatchEvent/Schedule event creates, targeting `arn`. */
export async function samRule(events: EventsService, event: SamRuleEvent, arn: string, ctx: DeployContext, logicalId: string): Promise<void> {
  const dlq = (event.deadLetterConfig as { Arn?: string } | undefined)?.Arn;
  await putRule(events, {
    name: event.ruleName, bus: busName(event.eventBusName), eventPattern: event.pattern, scheduleExpression: event.scheduleExpression, state: event.state,
    targets: [{
      Id: event.targetId, Arn: arn,
      ...(event.input !== undefined ? { Input: event.input } : {}),
      ...(event.inputPath !== undefined ? { InputPath: event.inputPath } : {}),
      ...(event.inputTransformer !== undefined ? { InputTransformer: event.inputTransformer } : {}),
      ...(event.retryPolicy !== undefined ? { RetryPolicy: event.retryPolicy } : {}),
      ...(dlq ? { DeadLetterConfig: { Arn: dlq } } : {}),
    }],
  }, ctx, logicalId, `Events.${event.name}`);
}
