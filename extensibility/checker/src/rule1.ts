// Rule 1: the extension touches no resource outside its own template. It may name the bus (by its
// name) and nothing else of anybody: no Fn::ImportValue, no literal ARNs, no names of the core's or
// the player's resources, every IAM permission on its own resources, the bus by name for rules and
// PutEvents, and no bus of its own called like the shared one.
import { BUS_NAME } from '@serverlesspresso/catalog';
import {
  definitionOf,
  discoverApps,
  isObject,
  loadApp,
  statesOf,
  type App,
  type LoadedTemplate,
} from '@serverlesspresso/catalog/bus';
import { intrinsic, Names, walk, type Node, type RawTemplate } from './raw.js';
import type { Violation } from './violation.js';

// ---- what may appear ----------------------------------------------------------------------------

/** Managed policies that grant nothing on other resources (logs of the function itself, traces). */
const HARMLESS_MANAGED = new Set([
  'AWSLambdaBasicExecutionRole',
  'AWSLambdaBasicExecutionRoleV2',
  'AWSXRayDaemonWriteAccess',
  'AWSXrayWriteOnlyAccess',
  'CloudWatchLambdaInsightsExecutionRolePolicy',
]);
/** Actions that take no resource (IAM requires "*" for them). */
const RESOURCELESS_ACTIONS = new Set([
  'xray:puttracesegments',
  'xray:puttelemetryrecords',
  'xray:getsamplingrules',
  'xray:getsamplingtargets',
  'cloudwatch:putmetricdata',
]);
/** SAM policy templates and the parameter that names the resource they grant access to. */
const TEMPLATE_RESOURCE: Record<string, string[]> = {
  DynamoDBCrudPolicy: ['TableName'],
  DynamoDBReadPolicy: ['TableName'],
  DynamoDBWritePolicy: ['TableName'],
  DynamoDBStreamReadPolicy: ['TableName'],
  DynamoDBReconfigurePolicy: ['TableName'],
  SQSPollerPolicy: ['QueueName'],
  SQSSendMessagePolicy: ['QueueName'],
  SNSPublishMessagePolicy: ['TopicName'],
  SNSCrudPolicy: ['TopicName'],
  S3ReadPolicy: ['BucketName'],
  S3WritePolicy: ['BucketName'],
  S3CrudPolicy: ['BucketName'],
  LambdaInvokePolicy: ['FunctionName'],
  StepFunctionsExecutionPolicy: ['StateMachineName'],
  SSMParameterReadPolicy: ['ParameterName'],
  AWSSecretsManagerGetSecretValuePolicy: ['SecretArn'],
  KMSDecryptPolicy: ['KeyId'],
  EventBridgePutEventsPolicy: ['EventBusName'],
};
/** Policy templates without a resource (CloudWatch metrics need "*"). */
const RESOURCELESS_TEMPLATES = new Set(['CloudWatchPutMetricPolicy', 'AWSXrayWriteOnlyAccess']);
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

const FIX_OWN =
  'reach other apps only through the bus: create what you need in this template and refer to it with !Ref / !GetAtt';

// ---- the checks ---------------------------------------------------------------------------------

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

interface Context {
  app: App;
  raw: RawTemplate;
  names: Names;
  push: (resource: string, property: string, message: string, fix: string) => void;
}

/** Fn::ImportValue, literal ARNs and others' names, anywhere in the template. */
function literals(ctx: Context, others: Map<string, string>): void {
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
        resource,
        property,
        `names a resource by a literal ARN (${arn})`,
        `${FIX_OWN}; the bus by its name: !Ref EventBusName`,
      );
    }
    for (const [name, owner] of others) {
      if (mentions(text, name)) ctx.push(resource, property, `names "${name}", ${owner}`, FIX_OWN);
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
function foreignSubArn(node: unknown, names: Names): boolean {
  const fn = intrinsic(node);
  const text = fn?.[0] === 'Fn::Sub' ? (Array.isArray(fn[1]) ? fn[1][0] : fn[1]) : undefined;
  const arn = typeof text === 'string' ? /arn:[^\s"']*/.exec(text)?.[0] : undefined;
  return arn !== undefined && !HARMLESS_ARN.test(arn) && !ownArn(arn, names);
}

/** A value as the template writes it, for messages: !Ref X, !GetAtt X.Y, !Sub '...', or JSON. */
export function shown(node: unknown): string {
  const fn = intrinsic(node);
  if (!fn) return JSON.stringify(node);
  const [name, arg] = fn;
  if (name === 'Ref') return `!Ref ${String(arg)}`;
  if (name === 'Fn::GetAtt') return `!GetAtt ${Array.isArray(arg) ? arg.join('.') : String(arg)}`;
  if (name === 'Fn::Sub' && typeof arg === 'string') return `!Sub '${arg}'`;
  return `!${name.replace('Fn::', '')} ${JSON.stringify(arg)}`;
}

const lower = (v: unknown) => String(v).toLowerCase();
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** An IAM statement: every Allow on resources of this template (or the bus, by name, for events:PutEvents). */
function statement(ctx: Context, resource: string, property: string, s: unknown): void {
  if (!isObject(s) || s.Effect === 'Deny') return;
  const actions = list(s.Action).map(lower);
  if (s.NotResource !== undefined || s.NotAction !== undefined) {
    ctx.push(
      resource,
      `${property}.${s.NotResource !== undefined ? 'NotResource' : 'NotAction'}`,
      'grants by exclusion (NotResource / NotAction), which reaches resources outside this template',
      'list the actions and your own resources explicitly',
    );
    return;
  }
  list(s.Resource).forEach((r, i) => {
    const at = `${property}.Resource${Array.isArray(s.Resource) ? `[${i}]` : ''}`;
    if (r === '*') {
      if (actions.every((a) => RESOURCELESS_ACTIONS.has(a))) return;
      ctx.push(
        resource,
        at,
        `grants ${actions.join(', ')} on every resource ("*")`,
        'scope it to your own resources: Resource: !GetAtt MyTable.Arn (and for PutEvents the bus by name: !Sub arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${EventBusName})',
      );
      return;
    }
    if (typeof r === 'string' || foreignSubArn(r, ctx.names)) return; // a literal ARN: reported with the literals
    if (ctx.names.isOwn(r)) return;
    if (ctx.names.isBusArnByName(r) && actions.every((a) => a === 'events:putevents')) return;
    if (ctx.names.isBusArnByName(r)) {
      ctx.push(
        resource,
        at,
        `grants ${actions.join(', ')} on the ${BUS_NAME} bus, which belongs to the core`,
        'on the bus an extension may only put events: Action: events:PutEvents',
      );
      return;
    }
    ctx.push(
      resource,
      at,
      'grants access to a resource that is not created by this template',
      'scope the statement to your own resources: !GetAtt / !Ref of resources of this template',
    );
  });
}

/** SAM Policies: managed policies, policy templates and inline statements. */
function samPolicies(ctx: Context, logicalId: string, policies: unknown): void {
  const items = list(policies);
  items.forEach((p, i) => {
    const at = `Properties.Policies${Array.isArray(policies) ? `[${i}]` : ''}`;
    if (typeof p === 'string') {
      const name = p.slice(p.lastIndexOf('/') + 1);
      if (!HARMLESS_MANAGED.has(name))
        ctx.push(
          logicalId,
          at,
          `the managed policy ${name} is not scoped to this extension's resources`,
          'replace it with a policy template or a Statement on your own resources, e.g. DynamoDBWritePolicy: { TableName: !Ref MyTable }',
        );
      return;
    }
    if (!isObject(p)) return;
    if ('Statement' in p) {
      list(p.Statement).forEach((s, j) =>
        statement(ctx, logicalId, `${at}.Statement${Array.isArray(p.Statement) ? `[${j}]` : ''}`, s),
      );
      return;
    }
    const [template, parameters] = Object.entries(p)[0] ?? [];
    if (template === undefined) return;
    if (RESOURCELESS_TEMPLATES.has(template)) return;
    const keys = TEMPLATE_RESOURCE[template];
    if (!keys) {
      ctx.push(
        logicalId,
        `${at}.${template}`,
        `cannot tell which resources the policy template ${template} grants access to`,
        'use a known SAM policy template on your own resources, or a Statement whose Resource is !GetAtt of your own resource',
      );
      return;
    }
    for (const key of keys) {
      const value = isObject(parameters) ? parameters[key] : undefined;
      const where = `${at}.${template}.${key}`;
      if (template === 'EventBridgePutEventsPolicy') {
        if (!ctx.names.isBusByName(value))
          ctx.push(
            logicalId,
            where,
            `puts events on a bus given as ${shown(value)}, not on the ${BUS_NAME} bus by its name`,
            'EventBusName: !Ref EventBusName (a parameter defaulting to Serverlesspresso)',
          );
      } else if (!ctx.names.isOwn(value)) {
        ctx.push(
          logicalId,
          where,
          `${template} on ${shown(value)}, which is not a resource of this template`,
          `${key}: !Ref <a resource of this template>`,
        );
      }
    }
  });
}

function iamResources(ctx: Context, logicalId: string, type: string, props: Node): void {
  if (type === 'AWS::IAM::Role') {
    list(props.ManagedPolicyArns).forEach((arn, i) => {
      const name = typeof arn === 'string' ? arn.slice(arn.lastIndexOf('/') + 1) : '';
      if (!HARMLESS_MANAGED.has(name) && !ctx.names.isOwn(arn))
        ctx.push(
          logicalId,
          `Properties.ManagedPolicyArns[${i}]`,
          `the managed policy ${name || JSON.stringify(arn)} is not scoped to this extension's resources`,
          'use inline Policies with statements on your own resources',
        );
    });
    list(props.Policies).forEach((p, i) => {
      if (isObject(p) && isObject(p.PolicyDocument))
        list(p.PolicyDocument.Statement).forEach((s, j) =>
          statement(ctx, logicalId, `Properties.Policies[${i}].PolicyDocument.Statement[${j}]`, s),
        );
    });
  }
  if (type === 'AWS::IAM::Policy' || type === 'AWS::IAM::ManagedPolicy') {
    const doc = props.PolicyDocument;
    if (isObject(doc))
      list(doc.Statement).forEach((s, j) => statement(ctx, logicalId, `Properties.PolicyDocument.Statement[${j}]`, s));
    for (const key of ['Roles', 'Users', 'Groups']) {
      list(props[key]).forEach((r, i) => {
        if (!ctx.names.isOwn(r))
          ctx.push(
            logicalId,
            `Properties.${key}[${i}]`,
            `attaches a policy to ${shown(r)}, which is not created by this template`,
            'attach policies only to your own roles',
          );
      });
    }
  }
}

/** Rules on the bus by name, targeting this template's resources; no bus of the shared name. */
function busAccess(ctx: Context, logicalId: string, type: string, props: Node): void {
  if (type === 'AWS::Events::EventBus' && ctx.names.isBusByName(props.Name)) {
    ctx.push(
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
        logicalId,
        'Properties.EventBusName',
        `reaches the bus as ${shown(props.EventBusName)}, not by its name`,
        'EventBusName: !Ref EventBusName (a parameter defaulting to Serverlesspresso)',
      );
    }
    list(props.Targets).forEach((t, i) => {
      if (isObject(t) && typeof t.Arn !== 'string' && !foreignSubArn(t.Arn, ctx.names) && !ctx.names.isOwn(t.Arn))
        ctx.push(
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
function stateMachineBus(ctx: Context, template: LoadedTemplate): void {
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

/** Rule 1 over one extension: its raw template, its loaded template, and the repo's other apps. */
export function checkRule1(app: App, raw: RawTemplate, template: LoadedTemplate, root: string): Violation[] {
  const violations: Violation[] = [];
  const names = new Names(raw);
  // Properties are reported as template paths (Resources.<Id>.Properties...), like the loader's errors.
  const push = (resource: string, property: string, message: string, fix: string) => {
    const full =
      resource in raw.resources && !property.startsWith('Resources.') ? `Resources.${resource}.${property}` : property;
    violations.push({ rule: 1, file: app.path, resource, property: full, message, fix });
  };
  const ctx: Context = { app, raw, names, push };
  literals(ctx, othersNames(root));
  for (const [logicalId, r] of Object.entries(raw.resources)) {
    const type = String(r.Type);
    const props = r.Properties ?? {};
    if (type === 'AWS::Serverless::Function' || type === 'AWS::Serverless::StateMachine')
      samPolicies(ctx, logicalId, props.Policies);
    iamResources(ctx, logicalId, type, props);
    busAccess(ctx, logicalId, type, props);
  }
  stateMachineBus(ctx, template);
  // Deduplicate: a value seen by two checks is one violation.
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.resource}|${v.property}|${v.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}
