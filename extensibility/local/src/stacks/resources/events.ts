// AWS::Events::EventBus and AWS::Events::Rule, and the rules SAM creates for EventBridgeRule and
// Schedule events: created through the EventBridge service's own operations, so the same
// validation (patterns, targets, transformers) applies as for the API. Both update in place: a bus
// stays the same bus, with every rule on it (other stacks' too) and its archive; a rule keeps its
// name and the targets that did not go (PutRule and PutTargets replace by name and Id).
import { InvalidScheduleExpressionError } from '../../services/events/schedule.js';
import type { EventsService } from '../../services/events/service.js';
import type { LoadedResource, SamRuleEvent } from '../template/index.js';
import { DeployError, type DeployContext, type ResourceHandler } from '../model.js';

export const busName = (value: unknown) =>
  typeof value === 'string' && value.startsWith('arn:')
    ? value.slice(value.lastIndexOf('/') + 1)
    : ((value as string | undefined) ?? 'default');

export function eventBusHandler(events: EventsService): ResourceHandler {
  const create: ResourceHandler = async (resource, ctx) => {
    const name = resource.physicalId;
    if (events.buses.has(name)) {
      throw new DeployError(
        ctx.template.file,
        resource.logicalId,
        'Name',
        `Event bus ${name} already exists (another stack owns it).`,
      );
    }
    events.createBus(name, resource.properties.Description as string | undefined);
    ctx.onDelete(() => void events.buses.delete(name));
  };
  return Object.assign(create, {
    async update(resource: LoadedResource, _previous: LoadedResource, ctx: DeployContext) {
      const bus = events.buses.get(resource.physicalId);
      // Deleted behind the stack's back (DeleteEventBus): made again, as CloudFormation would fail to find it.
      if (!bus) return create(resource, ctx);
      const description = resource.properties.Description;
      if (typeof description === 'string' && description !== '') bus.description = description;
      else delete bus.description;
    },
  });
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
export async function putRule(
  events: EventsService,
  spec: RuleSpec,
  ctx: DeployContext,
  logicalId: string,
  property: string,
): Promise<void> {
  const call = (operation: string, input: Record<string, unknown>) =>
    events.handle(operation, input, undefined as never);
  try {
    await call('PutRule', {
      Name: spec.name,
      EventBusName: spec.bus,
      State: spec.state ?? 'ENABLED',
      ...(spec.eventPattern !== undefined
        ? {
            EventPattern: typeof spec.eventPattern === 'string' ? spec.eventPattern : JSON.stringify(spec.eventPattern),
          }
        : {}),
      ...(spec.scheduleExpression ? { ScheduleExpression: spec.scheduleExpression } : {}),
      ...(spec.description ? { Description: spec.description } : {}),
    });
  } catch (e) {
    // AWS's text for a bad schedule says no more; the deploy adds why.
    const reason = e instanceof InvalidScheduleExpressionError ? ` (${e.reason})` : '';
    throw new DeployError(ctx.template.file, logicalId, property, `${(e as Error).message}${reason}`);
  }
  // Whatever targets the rule has then (a rule with targets cannot be deleted).
  const removeRule = async () => {
    const listed = (await call('ListTargetsByRule', { Rule: spec.name, EventBusName: spec.bus }).catch(() => ({
      Targets: [],
    }))) as { Targets: Array<{ Id: string }> };
    const ids = listed.Targets.map((t) => t.Id);
    if (ids.length)
      await call('RemoveTargets', { Rule: spec.name, EventBusName: spec.bus, Ids: ids }).catch(() => undefined);
    await call('DeleteRule', { Name: spec.name, EventBusName: spec.bus }).catch(() => undefined);
  };
  ctx.onDelete(removeRule);
  if (spec.targets.length === 0) return;
  let out: { FailedEntryCount: number; FailedEntries: Array<{ TargetId: string; ErrorMessage: string }> };
  try {
    out = (await call('PutTargets', { Rule: spec.name, EventBusName: spec.bus, Targets: spec.targets })) as typeof out;
  } catch (e) {
    throw new DeployError(
      ctx.template.file,
      logicalId,
      `${property === 'EventPattern' ? 'Targets' : property}`,
      (e as Error).message,
    );
  }
  if (out.FailedEntryCount > 0) {
    const f = out.FailedEntries[0]!;
    throw new DeployError(ctx.template.file, logicalId, 'Targets', `target ${f.TargetId}: ${f.ErrorMessage}`);
  }
}

/** Removes targets a rule no longer has (after an update in place). */
export async function removeTargets(events: EventsService, bus: string, rule: string, ids: unknown[]): Promise<void> {
  if (ids.length)
    await events
      .handle('RemoveTargets', { Rule: rule, EventBusName: bus, Ids: ids }, undefined as never)
      .catch(() => undefined);
}

export function ruleHandler(events: EventsService): ResourceHandler {
  const specOf = (resource: LoadedResource): RuleSpec => {
    const p = resource.properties;
    return {
      name: resource.physicalId.includes('|') ? resource.physicalId.split('|')[1]! : resource.physicalId,
      bus: busName(p.EventBusName),
      eventPattern: p.EventPattern,
      scheduleExpression: p.ScheduleExpression as string | undefined,
      state: p.State as string | undefined,
      description: p.Description as string | undefined,
      targets: ((p.Targets as Array<Record<string, unknown>> | undefined) ?? []).map(targetOf),
    };
  };
  const property = (resource: LoadedResource) =>
    resource.properties.EventPattern !== undefined ? 'EventPattern' : 'ScheduleExpression';
  const create: ResourceHandler = (resource, ctx) =>
    putRule(events, specOf(resource), ctx, resource.logicalId, property(resource));
  return Object.assign(create, {
    // Same name and bus (else it is another rule, made anew): PutRule over it, PutTargets, and the targets that went removed.
    async update(resource: LoadedResource, previous: LoadedResource, ctx: DeployContext) {
      const spec = specOf(resource);
      await putRule(events, spec, ctx, resource.logicalId, property(resource));
      const kept = new Set(spec.targets.map((t) => t.Id));
      await removeTargets(
        events,
        spec.bus,
        spec.name,
        specOf(previous)
          .targets.map((t) => t.Id)
          .filter((id) => !kept.has(id)),
      );
    },
  });
}

function targetOf(t: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { Id: t.Id, Arn: t.Arn };
  for (const key of ['Input', 'InputPath', 'InputTransformer', 'RetryPolicy', 'DeadLetterConfig', 'RoleArn'])
    if (t[key] !== undefined) out[key] = t[key];
  return out;
}

/** The rule a SAM EventBridgeRule/CloudWatchEvent/Schedule event creates, targeting `arn`. */
export async function samRule(
  events: EventsService,
  event: SamRuleEvent,
  arn: string,
  ctx: DeployContext,
  logicalId: string,
  /** The target's role (a state machine's: the one SAM generates for the event). */
  roleArn?: string,
): Promise<void> {
  const dlq = (event.deadLetterConfig as { Arn?: string } | undefined)?.Arn;
  await putRule(
    events,
    {
      name: event.ruleName,
      bus: busName(event.eventBusName),
      eventPattern: event.pattern,
      scheduleExpression: event.scheduleExpression,
      state: event.state,
      targets: [
        {
          Id: event.targetId,
          Arn: arn,
          ...(roleArn !== undefined ? { RoleArn: roleArn } : {}),
          ...(event.input !== undefined ? { Input: event.input } : {}),
          ...(event.inputPath !== undefined ? { InputPath: event.inputPath } : {}),
          ...(event.inputTransformer !== undefined ? { InputTransformer: event.inputTransformer } : {}),
          ...(event.retryPolicy !== undefined ? { RetryPolicy: event.retryPolicy } : {}),
          ...(dlq ? { DeadLetterConfig: { Arn: dlq } } : {}),
        },
      ],
    },
    ctx,
    logicalId,
    `Events.${event.name}`,
  );
}
