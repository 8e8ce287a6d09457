// 1.bus-by-name: the extension reaches the bus by its name (the literal Serverlesspresso or a
// parameter defaulting to it), never by ARN: its rules, and its state machines' putEvents tasks.
// (EventBridgePutEventsPolicy's bus is checked with the policies, in scoped-policy.ts.)
import { definitionOf, isObject, statesOf, type LoadedTemplate } from '@serverlesspresso/catalog/bus';
import { type Node } from '../raw.js';
import { list, shown, type Context } from './context.js';

/** Rules (AWS::Events::Rule, and SAM EventBridgeRule events) on the bus by its name, or on a bus of their own. */
export function busByName(ctx: Context, logicalId: string, type: string, props: Node): void {
  if (
    type === 'AWS::Events::Rule' &&
    props.EventBusName !== undefined &&
    !ctx.names.isBusByName(props.EventBusName) &&
    !ctx.names.isOwn(props.EventBusName)
  ) {
    ctx.push(
      '1.bus-by-name',
      logicalId,
      'Properties.EventBusName',
      `reaches the bus as ${shown(props.EventBusName)}, not by its name`,
      'EventBusName: !Ref EventBusName (a parameter defaulting to Serverlesspresso)',
    );
  }
  const events = props.Events;
  if ((type === 'AWS::Serverless::Function' || type === 'AWS::Serverless::StateMachine') && isObject(events)) {
    for (const [name, event] of Object.entries(events)) {
      if (!isObject(event) || !['EventBridgeRule', 'CloudWatchEvent'].includes(String(event.Type))) continue;
      const bus = isObject(event.Properties) ? event.Properties.EventBusName : undefined;
      if (bus !== undefined && !ctx.names.isBusByName(bus) && !ctx.names.isOwn(bus)) {
        ctx.push(
          '1.bus-by-name',
          logicalId,
          `Properties.Events.${name}.Properties.EventBusName`,
          `reaches the bus as ${shown(bus)}, not by its name`,
          'EventBusName: !Ref EventBusName (a parameter defaulting to Serverlesspresso)',
        );
      }
    }
  }
}

/** putEvents tasks of state machines: the bus by its name (after DefinitionSubstitutions), never its ARN. */
export function stateMachineBus(ctx: Context, template: LoadedTemplate): void {
  for (const r of template.resources.filter(
    (x) => x.type === 'AWS::Serverless::StateMachine' || x.type === 'AWS::StepFunctions::StateMachine',
  )) {
    for (const [name, state] of statesOf(definitionOf(r, ctx.app.templateFile))) {
      if (typeof state.Resource !== 'string' || !/:states:::events:putEvents/.test(state.Resource)) continue;
      const args = (
        isObject(state.Arguments) ? state.Arguments : isObject(state.Parameters) ? state.Parameters : {}
      ) as Node;
      const property =
        ['Definition', 'DefinitionString', 'DefinitionUri'].find((p) => r.properties[p] !== undefined) ?? 'Definition';
      list(args.Entries).forEach((entry, i) => {
        const bus = isObject(entry) ? entry.EventBusName : undefined;
        if (typeof bus === 'string' && bus.startsWith('arn:')) {
          ctx.push(
            '1.bus-by-name',
            r.logicalId,
            `Properties.${property} (state "${name}", Entries[${i}].EventBusName)`,
            `puts events on the bus by its ARN (${bus})`,
            'give the bus by its name: "EventBusName": "${EventBusName}" with DefinitionSubstitutions: { EventBusName: !Ref EventBusName }',
          );
        }
      });
    }
  }
}
