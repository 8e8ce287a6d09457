// 1.scoped-policy: every IAM permission the extension grants (SAM Policies, IAM roles and
// policies) is on its own resources: no managed policy beyond logs and traces, no "*" except for
// actions that take no resource, policy templates on !Ref / !GetAtt of its own resources. (The bus
// of EventBridgePutEventsPolicy is 1.bus-by-name's.)
import { BUS_NAME } from '@serverlesspresso/catalog';
import { isObject } from '@serverlesspresso/catalog/bus';
import { type Node } from '../raw.js';
import { list, lower, shown, type Context } from './context.js';
import { foreignSubArn } from './own-resources.js';

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

/** An IAM statement: every Allow on resources of this template (or the bus, by name, for events:PutEvents). */
function statement(ctx: Context, resource: string, property: string, s: unknown): void {
  if (!isObject(s) || s.Effect === 'Deny') return;
  const actions = list(s.Action).map(lower);
  if (s.NotResource !== undefined || s.NotAction !== undefined) {
    ctx.push(
      '1.scoped-policy',
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
        '1.scoped-policy',
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
        '1.scoped-policy',
        resource,
        at,
        `grants ${actions.join(', ')} on the ${BUS_NAME} bus, which belongs to the core`,
        'on the bus an extension may only put events: Action: events:PutEvents',
      );
      return;
    }
    ctx.push(
      '1.scoped-policy',
      resource,
      at,
      'grants access to a resource that is not created by this template',
      'scope the statement to your own resources: !GetAtt / !Ref of resources of this template',
    );
  });
}

/** SAM Policies: managed policies, policy templates and inline statements. */
export function samPolicies(ctx: Context, logicalId: string, policies: unknown): void {
  const items = list(policies);
  items.forEach((p, i) => {
    const at = `Properties.Policies${Array.isArray(policies) ? `[${i}]` : ''}`;
    if (typeof p === 'string') {
      const name = p.slice(p.lastIndexOf('/') + 1);
      if (!HARMLESS_MANAGED.has(name))
        ctx.push(
          '1.scoped-policy',
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
        '1.scoped-policy',
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
            '1.bus-by-name',
            logicalId,
            where,
            `puts events on a bus given as ${shown(value)}, not on the ${BUS_NAME} bus by its name`,
            'EventBusName: !Ref EventBusName (a parameter defaulting to Serverlesspresso)',
          );
      } else if (!ctx.names.isOwn(value)) {
        ctx.push(
          '1.scoped-policy',
          logicalId,
          where,
          `${template} on ${shown(value)}, which is not a resource of this template`,
          `${key}: !Ref <a resource of this template>`,
        );
      }
    }
  });
}

export function iamResources(ctx: Context, logicalId: string, type: string, props: Node): void {
  if (type === 'AWS::IAM::Role') {
    list(props.ManagedPolicyArns).forEach((arn, i) => {
      const name = typeof arn === 'string' ? arn.slice(arn.lastIndexOf('/') + 1) : '';
      if (!HARMLESS_MANAGED.has(name) && !ctx.names.isOwn(arn))
        ctx.push(
          '1.scoped-policy',
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
            '1.scoped-policy',
            logicalId,
            `Properties.${key}[${i}]`,
            `attaches a policy to ${shown(r)}, which is not created by this template`,
            'attach policies only to your own roles',
          );
      });
    }
  }
}
