// 1.own-targets: the extension's rules deliver only to its own resources (a target given by a
// literal or foreign ARN is 1.own-resources' to report).
import { isObject } from '@serverlesspresso/catalog/bus';
import { type Node } from '../raw.js';
import { list, shown, type Context } from './context.js';
import { foreignSubArn } from './own-resources.js';

export function ownTargets(ctx: Context, logicalId: string, type: string, props: Node): void {
  if (type !== 'AWS::Events::Rule') return;
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
