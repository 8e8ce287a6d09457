// 1.no-shared-bus: the extension does not create a bus of the shared name; the core (or the
// EventPlayer deployed alone) does.
import { BUS_NAME } from '@serverlesspresso/catalog';
import type { Node } from '../raw.js';
import type { Context } from './context.js';

export function noSharedBus(ctx: Context, logicalId: string, type: string, props: Node): void {
  if (type === 'AWS::Events::EventBus' && ctx.names.isBusByName(props.Name))
    ctx.push(
      '1.no-shared-bus',
      logicalId,
      'Properties.Name',
      `creates the ${BUS_NAME} bus, which belongs to the core (or the EventPlayer deployed alone)`,
      'remove the bus: deploy the core or the EventPlayer first, and name the bus with the EventBusName parameter',
    );
}
