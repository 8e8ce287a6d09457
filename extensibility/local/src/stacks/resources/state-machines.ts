// AWS::Serverless::StateMachine and AWS::StepFunctions::StateMachine: the definition from
// Definition, DefinitionString or DefinitionUri (relative to the template), with
// DefinitionSubstitutions applied, validated by the engine at deploy time.
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EventsService } from '../../services/events/service.js';
import type { SchedulerService } from '../../services/scheduler/service.js';
import type { StatesService } from '../../services/states/service.js';
import { parseTemplateText, type SamRuleEvent, type SamScheduleEvent } from '../template/index.js';
import { DeployError, type ResourceHandler } from '../model.js';
import { samRule } from './events.js';
import { samSchedule } from './schedules.js';

/** `${Name}` placeholders replaced with their values, escaped for the JSON text they land in. */
export function substitute(definition: string, substitutions: Record<string, unknown>): string {
  return definition.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => {
    if (!(key in substitutions)) return whole;
    return JSON.stringify(String(substitutions[key])).slice(1, -1);
  });
}

/** `scheduler` wires ScheduleV2 events; without it they are reported as not emulated. */
export function stateMachineHandler(states: StatesService, events: EventsService, scheduler?: SchedulerService): ResourceHandler {
  return async (resource, ctx) => {
    const p = resource.properties;
    const file = ctx.template.file;
    let definition: unknown = p.Definition ?? p.DefinitionString;
    let property = p.Definition !== undefined ? 'Definition' : 'DefinitionString';
    if (definition === undefined && p.DefinitionUri !== undefined) {
      property = 'DefinitionUri';
      if (typeof p.DefinitionUri !== 'string') throw new DeployError(file, resource.logicalId, property, 'only a local file path is supported locally (not an S3 location)');
      const path = resolve(ctx.templateDir, p.DefinitionUri);
      if (!existsSync(path)) throw new DeployError(file, resource.logicalId, property, `file ${path} does not exist`);
      // As the deployed resource does, substitutions apply to the file's text (so `${Capacity}` may stand unquoted for a number).
      try {
        definition = parseTemplateText(substitute(readFileSync(path, 'utf8'), (p.DefinitionSubstitutions as Record<string, unknown> | undefined) ?? {}), path);
      } catch (e) {
        throw new DeployError(file, resource.logicalId, property, `${path}: ${(e as Error).message}`);
      }
    }
    if (definition === undefined) throw new DeployError(file, resource.logicalId, undefined, 'one of Definition, DefinitionString or DefinitionUri is required');
    const text = substitute(typeof definition === 'string' ? definition : JSON.stringify(definition), (p.DefinitionSubstitutions as Record<string, unknown> | undefined) ?? {});
    const arn = resource.physicalId;
    const name = arn.slice(arn.lastIndexOf(':') + 1);
    if (states.stateMachine(arn)) throw new DeployError(file, resource.logicalId, 'Name', `State machine ${name} already exists (another stack owns it).`);
    try {
      states.registerStateMachine({ name, arn, definition: text, type: (p.Type as 'STANDARD' | 'EXPRESS' | undefined) ?? (p.StateMachineType as 'STANDARD' | 'EXPRESS' | undefined) ?? 'STANDARD' });
    } catch (e) {
      throw new DeployError(file, resource.logicalId, property, (e as Error).message);
    }
    ctx.onDelete(() => void states.removeStateMachine(arn));
    for (const event of resource.sam?.events ?? []) {
      if (event.kind === 'rule') await samRule(events, event as SamRuleEvent, arn, ctx, resource.logicalId);
      else if (event.kind === 'schedule' && scheduler) samSchedule(scheduler, event as SamScheduleEvent, arn, ctx, resource.logicalId);
      else ctx.log(`[stacks] ${ctx.template.stackName}: ${resource.logicalId} event ${event.name} (${event.type}) is not emulated for state machines`);
    }
  };
}
