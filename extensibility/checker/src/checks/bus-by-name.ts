// 1.bus-by-name, 1.own-targets, 1.no-shared-bus: the extension reaches the bus by its name (the
// literal Serverlesspresso or a parameter defaulting to it), never by ARN, for its rules and its
// state machines' putEvents tasks; its rules deliver only to its own resources; it does not create
// a bus of the shared name.
import { BUS_NAME } from '@serverlesspresso/catalog';
import { definitionOf, statesOf, type LoadedTemplate } from '@serverlesspresso/catalog/bus';
import { isObject, type Node } from '../raw.js';
import { list, shown, type Context } from './context.js';
import { foreignSubArn } from './own-resources.js';

/** Rules on the bus by name, targeting this template's resources; no bus of the shared name. */
export function busAccess(ctx: Context, logicalId: string, type: string, props: Node): void {
  if (type === 'AWS::Events::EventBus' && ctx.names.isBusByName(props.Name)) {
    ctx.push(
      '1.no-shared-bus',
      logicalId,
      'Properties.Name',
      `creates the ${BUS_NAME} bus, which belongs to the core (or the EventPlayer deployed alone)`,
      'remove the bus: deploy the core or the EventPlayer first, and name the bus with the EventBusName parameter',
    );
  }
  if (type === 'AWS::Events::Rule') {
    if (
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
    list(props.Targets).forEach((t, i) => {
      if (isObject(t) && typeof t.Arn !== 'string' && !foreignSubArn(t.Arn, ctx.names) && !ctx.names.isOwn(t.Arn))
        ctx.push(
          '1.own-targets',
          logicalId,
          `Properties.Targets[${i}].Arn`,
          `delivers to ${shown(t.Arn)}, which is not a resource of this template`,
          'target only your own functions, state machines or queues: Arn: !GetAtt MyFunction.Arn',
        );
    });
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
