// AWS::Serverless::StateMachine and AWS::StepFunctions::StateMachine: the definition from
// Definition, DefinitionString or DefinitionUri (relative to the template), with
// DefinitionSubstitutions applied, validated by the engine at deploy time. A redeploy updates a
// changed state machine in place (UpdateStateMachine: same ARN; running executions keep the
// definition they started with) and leaves an unchanged one, and its unchanged events, alone.
import type { Iam } from '../../iam/iam.js';
import { EVENTS_PRINCIPAL } from '../../iam/deliveries.js';
import { putSamRole, samRoleName } from '../../iam/sam/roles.js';
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EventsService } from '../../services/events/service.js';
import type { SchedulerService } from '../../services/scheduler/service.js';
import type { StatesService } from '../../services/states/service.js';
import {
  parseTemplateText,
  type LoadedResource,
  type SamEvent,
  type SamRuleEvent,
  type SamScheduleEvent,
} from '../template/index.js';
import { DeployError, type DeployContext, type ResourceHandler } from '../model.js';
import { samRule } from './events.js';
import { SamEvents } from './sam-events.js';
import { samSchedule } from './schedules.js';

/** `${Name}` placeholders replaced with their values, escaped for the JSON text they land in. */
export function substitute(definition: string, substitutions: Record<string, unknown>): string {
  return definition.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => {
    if (!(key in substitutions)) return whole;
    return JSON.stringify(String(substitutions[key])).slice(1, -1);
  });
}

/** `scheduler` wires ScheduleV2 events; without it they are reported as not emulated. */
export function stateMachineHandler(
  states: StatesService,
  events: EventsService,
  scheduler?: SchedulerService,
  /** Its tasks act with the role SAM generates for it; without it, as the administrator. */
  iam?: Iam,
): ResourceHandler {
  /** Creates or updates the state machine's role and has its tasks act with it. */
  function putRole(resource: LoadedResource, ctx: DeployContext): string | undefined {
    if (!iam) return undefined;
    const arn = resource.physicalId;
    const role = putSamRole(iam, resource, ctx, arn.slice(arn.lastIndexOf(':') + 1));
    if (role) iam.actAs(arn, role.roleName);
    return role?.roleName;
  }

  /**
   * The role SAM generates for a rule event of a state machine (`<StateMachine><Event>Role`):
   * EventBridge may assume it, and it may start executions of the state machine (its policy
   * `<StateMachine><Event>RoleStartExecutionPolicy`); the rule's target names it. It goes with the event.
   */
  function eventRole(resource: LoadedResource, event: SamEvent, arn: string, ctx: DeployContext): string {
    const logicalId = `${resource.logicalId}${event.name}`;
    const roleName = samRoleName(ctx.template.stackName, logicalId);
    if (iam) {
      iam.putRole({
        roleName,
        sessionName: roleName,
        stack: ctx.template.stackName,
        logicalId: `${logicalId}Role`,
        trustedServices: [EVENTS_PRINCIPAL],
        policies: [
          {
            name: `${logicalId}RoleStartExecutionPolicy`,
            document: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'states:StartExecution', Resource: arn }],
            },
          },
        ],
      });
      ctx.onDelete(() => iam.deleteRole(roleName));
    }
    return `arn:aws:iam::${ctx.template.accountId}:role/${roleName}`;
  }

  /** The events of every deployed state machine, by stack and logical id. */
  const deployed = new Map<string, SamEvents>();
  const keyOf = (resource: LoadedResource, ctx: DeployContext) => `${ctx.template.stackName}#${resource.logicalId}`;

  /** Registers (creates or updates in place) the state machine the resource defines; throws DeployError. */
  function register(resource: LoadedResource, ctx: DeployContext): void {
    const p = resource.properties;
    const file = ctx.template.file;
    let definition: unknown = p.Definition ?? p.DefinitionString;
    let property = p.Definition !== undefined ? 'Definition' : 'DefinitionString';
    if (definition === undefined && p.DefinitionUri !== undefined) {
      property = 'DefinitionUri';
      if (typeof p.DefinitionUri !== 'string')
        throw new DeployError(
          file,
          resource.logicalId,
          property,
          'only a local file path is supported locally (not an S3 location)',
        );
      const path = resolve(ctx.templateDir, p.DefinitionUri);
      if (!existsSync(path)) throw new DeployError(file, resource.logicalId, property, `file ${path} does not exist`);
      // As the deployed resource does, substitutions apply to the file's text (so `${Capacity}` may stand unquoted for a number).
      try {
        definition = parseTemplateText(
          substitute(
            readFileSync(path, 'utf8'),
            (p.DefinitionSubstitutions as Record<string, unknown> | undefined) ?? {},
          ),
          path,
        );
      } catch (e) {
        throw new DeployError(file, resource.logicalId, property, `${path}: ${(e as Error).message}`);
      }
    }
    if (definition === undefined)
      throw new DeployError(
        file,
        resource.logicalId,
        undefined,
        'one of Definition, DefinitionString or DefinitionUri is required',
      );
    const text = substitute(
      typeof definition === 'string' ? definition : JSON.stringify(definition),
      (p.DefinitionSubstitutions as Record<string, unknown> | undefined) ?? {},
    );
    const arn = resource.physicalId;
    const name = arn.slice(arn.lastIndexOf(':') + 1);
    const type =
      (p.Type as 'STANDARD' | 'EXPRESS' | undefined) ??
      (p.StateMachineType as 'STANDARD' | 'EXPRESS' | undefined) ??
      'STANDARD';
    const existing = states.stateMachine(arn);
    if (existing && existing.definition === text && existing.type === type) return; // unchanged: untouched
    try {
      states.registerStateMachine({ name, arn, definition: text, type });
    } catch (e) {
      throw new DeployError(file, resource.logicalId, property, (e as Error).message);
    }
  }

  /** Wires the state machine's events (rules), each registering its removal with ctx.onDelete. */
  async function wire(resource: LoadedResource, list: SamEvent[], arn: string, ctx: DeployContext): Promise<void> {
    for (const event of list) {
      if (event.kind === 'rule')
        await samRule(
          events,
          event as SamRuleEvent,
          arn,
          ctx,
          resource.logicalId,
          eventRole(resource, event, arn, ctx),
        );
      else if (event.kind === 'schedule' && scheduler)
        samSchedule(scheduler, event as SamScheduleEvent, arn, ctx, resource.logicalId, iam);
      else
        ctx.log(
          `[stacks] ${ctx.template.stackName}: ${resource.logicalId} event ${event.name} (${event.type}) is not emulated for state machines`,
        );
    }
  }

  const create: ResourceHandler = async (resource, ctx) => {
    const arn = resource.physicalId;
    if (states.stateMachine(arn))
      throw new DeployError(
        ctx.template.file,
        resource.logicalId,
        'Name',
        `State machine ${arn.slice(arn.lastIndexOf(':') + 1)} already exists (another stack owns it).`,
      );
    const roleName = putRole(resource, ctx);
    // A generated role goes with it; a role of the template goes with its own resource.
    const generated = resource.properties.Role === undefined && resource.properties.RoleArn === undefined;
    if (roleName && generated) ctx.onDelete(() => iam?.deleteRole(roleName));
    register(resource, ctx);
    const key = keyOf(resource, ctx);
    const wired = new SamEvents(events);
    deployed.set(key, wired);
    ctx.onDelete(async () => {
      try {
        await wired.removeAll();
      } finally {
        states.removeStateMachine(arn);
        deployed.delete(key);
      }
    });
    await wired.create(resource.sam?.events ?? [], ctx, (list, c) => wire(resource, list, arn, c));
  };

  return Object.assign(create, {
    emulatedEvents: new Set<SamEvent['kind']>(['rule', ...(scheduler ? ['schedule' as const] : [])]),
    // Its DefinitionUri file may change while the template does not.
    reconcileUnchanged: true,
    async update(resource: LoadedResource, _previous: LoadedResource, ctx: DeployContext) {
      const wired = deployed.get(keyOf(resource, ctx));
      if (!wired)
        throw new DeployError(
          ctx.template.file,
          resource.logicalId,
          undefined,
          `state machine ${resource.physicalId} is not deployed, so it cannot be updated`,
        );
      // (Deleted behind the stack's back with DeleteStateMachine, it is registered again.)
      putRole(resource, ctx);
      register(resource, ctx);
      await wired.update(resource.sam?.events ?? [], ctx, (list, c) => wire(resource, list, resource.physicalId, c));
    },
  });
}
