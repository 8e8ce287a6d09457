// 1.own-resources: the extension names nothing of anybody else, anywhere in its template: no
// Fn::ImportValue, no literal ARN (a Fn::Sub ARN names one of its own resources or the bus by name),
// no explicit name of a core or EventPlayer resource.
import { BUS_NAME } from '@serverlesspresso/catalog';
import { discoverApps, loadApp, type LoadedTemplate } from '@serverlesspresso/catalog/bus';
import { intrinsic, walk, type Names } from '../raw.js';
import { FIX_OWN, shown, type Context } from './context.js';

/** ARNs that name no one's resource: Step Functions service integrations, public Lambda layers. */
const HARMLESS_ARN = /^arn:[a-z-]+:states:::|^arn:[a-z-]+:iam::aws:policy\/|:layer:/;
/** Properties that name a resource, on the apps whose names an extension must not use. */
const NAME_PROPERTIES = new Set([
  'TableName',
  'FunctionName',
  'StateMachineName',
  'Name',
  'QueueName',
  'TopicName',
  'BucketName',
  'RoleName',
  'LogGroupName',
  'ApiName',
  'UserPoolName',
  'ArchiveName',
]);

/** Explicit names of the core's and the player's resources (their generated names cannot be guessed). */
export function othersNames(root: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const app of discoverApps(root).filter((a) => a.kind === 'core' || a.kind === 'player')) {
    let template: LoadedTemplate;
    try {
      template = loadApp(app);
    } catch {
      continue; // its own tests report it
    }
    for (const r of template.resources) {
      for (const [key, value] of Object.entries(r.properties)) {
        if (NAME_PROPERTIES.has(key) && typeof value === 'string' && value.length >= 4 && value !== BUS_NAME)
          names.set(value, `${app.name}'s ${r.type} ${r.logicalId} (${app.path})`);
      }
    }
  }
  return names;
}

function mentions(text: string, name: string): boolean {
  const re = new RegExp(`(^|[^A-Za-z0-9_-])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_-])`);
  return re.test(text);
}

/** Fn::ImportValue, literal ARNs and others' names, anywhere in the template. */
export function ownResources(ctx: Context, others: Map<string, string>): void {
  walk(ctx.raw.root, '', (value, path) => {
    if (/(^|\.)(Description|Metadata)$/.test(path)) return false; // prose and build settings name nothing
    const resource =
      /^Resources\.([^.[]+)/.exec(path)?.[1] ??
      /^(Parameters|Outputs|Conditions|Mappings|Globals)/.exec(path)?.[1] ??
      '(template)';
    const property = path || '(template)';
    const fn = intrinsic(value);
    if (fn?.[0] === 'Fn::ImportValue') {
      ctx.push(
        '1.own-resources',
        resource,
        property,
        `imports ${shown(fn[1])} from another stack (Fn::ImportValue)`,
        `${FIX_OWN}; pass what must come from outside (only the bus's name) as a parameter`,
      );
    }
    let text: string | undefined;
    if (typeof value === 'string' && !path.endsWith('Fn::Sub') && !/Fn::Sub\[0\]$/.test(path)) text = value;
    if (fn?.[0] === 'Fn::Sub') {
      const sub = Array.isArray(fn[1]) ? fn[1][0] : fn[1];
      if (typeof sub === 'string') text = sub;
    }
    if (text === undefined) return;
    const arn = /arn:[^\s"']*/.exec(text)?.[0];
    if (arn && !HARMLESS_ARN.test(arn) && !ownArn(arn, ctx.names)) {
      ctx.push(
        '1.own-resources',
        resource,
        property,
        `names a resource by a literal ARN (${arn})`,
        `${FIX_OWN}; the bus by its name: !Ref EventBusName`,
      );
    }
    for (const [name, owner] of others) {
      if (mentions(text, name)) ctx.push('1.own-resources', resource, property, `names "${name}", ${owner}`, FIX_OWN);
    }
  });
}

/** An ARN in a Fn::Sub whose resource part is one of this template's resources or the bus by name. */
function ownArn(arn: string, names: Names): boolean {
  const parts = arn.replace(/\$\{AWS::[A-Za-z]+\}/g, 'pseudo').split(':');
  const resourcePart = parts.slice(5).join(':');
  const variables = [...resourcePart.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!.split('.')[0]!);
  if (variables.some((v) => names.resources.has(v))) return true;
  const bus = /^event-bus\/(.+)$/.exec(resourcePart)?.[1];
  return bus !== undefined && (bus === BUS_NAME || names.busParameters.has(/^\$\{([^}]+)\}$/.exec(bus)?.[1] ?? ''));
}

/** A Fn::Sub text holding an ARN of somebody else's resource: reported once, by literals(). */
export function foreignSubArn(node: unknown, names: Names): boolean {
  const fn = intrinsic(node);
  const text = fn?.[0] === 'Fn::Sub' ? (Array.isArray(fn[1]) ? fn[1][0] : fn[1]) : undefined;
  const arn = typeof text === 'string' ? /arn:[^\s"']*/.exec(text)?.[0] : undefined;
  return arn !== undefined && !HARMLESS_ARN.test(arn) && !ownArn(arn, names);
}
