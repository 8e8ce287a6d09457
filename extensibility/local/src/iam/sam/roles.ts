// The role SAM generates for a function or state machine without `Role`: named
// `<stack>-<LogicalId>Role-<suffix>`, with AWSLambdaBasicExecutionRole (functions), the managed
// policy a DynamoDB event adds, and the resource's Policies expanded as SAM expands them.
import { generatedPhysicalName, type LoadedResource } from '../../stacks/template/index.js';
import { DeployError, type DeployContext } from '../../stacks/model.js';
import { InvalidPolicyError, type Iam, type RolePolicy, type Credentials } from '../iam.js';
import { expandSamPolicy, MANAGED_POLICIES, PolicyExpansionError } from './expand.js';

export const samRoleName = (stackName: string, logicalId: string) =>
  generatedPhysicalName(stackName, `${logicalId}Role`, { maxLength: 64 });

/** The policies of the resource's generated role; throws DeployError naming the policy at fault. */
export function samRolePolicies(resource: LoadedResource, ctx: DeployContext): RolePolicy[] {
  const base = `Resources.${resource.logicalId}.Properties.Policies`;
  const policies: RolePolicy[] = [];
  const isFunction = resource.type === 'AWS::Serverless::Function' || resource.type === 'AWS::Lambda::Function';
  if (isFunction)
    policies.push({ name: 'AWSLambdaBasicExecutionRole', document: MANAGED_POLICIES.AWSLambdaBasicExecutionRole });
  if (resource.sam?.events.some((e) => e.kind === 'dynamodb'))
    policies.push({
      name: 'AWSLambdaDynamoDBExecutionRole',
      document: MANAGED_POLICIES.AWSLambdaDynamoDBExecutionRole,
    });
  if (resource.type === 'AWS::Serverless::Function') policies.push(...samDeliveryPolicies(resource));
  (resource.sam?.policies ?? []).forEach((policy, i) => {
    try {
      policies.push(expandSamPolicy(policy, ctx.template, `${base}[${i}]`));
    } catch (e) {
      if (e instanceof PolicyExpansionError)
        throw new DeployError(ctx.template.file, resource.logicalId, `Policies[${i}]`, e.message);
      throw e;
    }
  });
  return policies;
}

/** The action SAM grants the function's role for a destination of a `Type`, as the transform does. */
const DESTINATION_ACTIONS: Readonly<Record<string, string>> = {
  SQS: 'sqs:SendMessage',
  SNS: 'sns:Publish',
  Lambda: 'lambda:InvokeFunction',
  EventBridge: 'events:PutEvents',
};

/**
 * The statements SAM adds to a function's generated role for the sends Lambda makes with it: its
 * `DeadLetterQueue` (`Type` SQS or SNS: `sqs:SendMessage`/`sns:Publish` on `TargetArn`, the policy
 * `DeadLetterQueuePolicy`), its `EventInvokeConfig` destinations (`OnSuccess`/`OnFailure` of `Type`
 * SQS, SNS, Lambda or EventBridge) and its stream events' `DestinationConfig.OnFailure` (SQS, SNS).
 */
export function samDeliveryPolicies(resource: LoadedResource): RolePolicy[] {
  const base = `Resources.${resource.logicalId}.Properties`;
  const out: RolePolicy[] = [];
  const grant = (name: string, type: unknown, arn: unknown) => {
    const action = typeof type === 'string' ? DESTINATION_ACTIONS[type] : undefined;
    if (action && typeof arn === 'string')
      out.push({ name, document: { Statement: [{ Effect: 'Allow', Action: action, Resource: arn }] } });
  };
  const dlq = resource.properties.DeadLetterQueue as { Type?: unknown; TargetArn?: unknown } | undefined;
  if (dlq?.Type === 'SQS' || dlq?.Type === 'SNS')
    grant(`${base}.DeadLetterQueue (DeadLetterQueuePolicy)`, dlq.Type, dlq.TargetArn);
  const config = (resource.properties.EventInvokeConfig as { DestinationConfig?: Record<string, unknown> } | undefined)
    ?.DestinationConfig;
  for (const which of ['OnSuccess', 'OnFailure'] as const) {
    const d = config?.[which] as { Type?: unknown; Destination?: unknown } | undefined;
    if (d) grant(`${base}.EventInvokeConfig.DestinationConfig.${which}`, d.Type, d.Destination);
  }
  for (const event of resource.sam?.events ?? []) {
    const onFailure = (event.properties.DestinationConfig as { OnFailure?: { Type?: unknown; Destination?: unknown } })
      ?.OnFailure;
    if (onFailure && (onFailure.Type === 'SQS' || onFailure.Type === 'SNS'))
      grant(`${base}.Events.${event.name}.DestinationConfig.OnFailure`, onFailure.Type, onFailure.Destination);
  }
  return out;
}

/**
 * Creates (or updates) the resource's role and answers its credentials, or undefined when the
 * resource names its own Role (not modelled locally: it acts as the administrator, and the log says so).
 */
export function putSamRole(
  iam: Iam,
  resource: LoadedResource,
  ctx: DeployContext,
  sessionName: string,
): { roleName: string; credentials: Credentials } | undefined {
  const own = resource.properties.Role ?? resource.properties.RoleArn;
  if (own !== undefined) {
    // A role of the template (AWS::IAM::Role, deployed before it): its session is this resource's.
    const roleName = typeof own === 'string' ? own.slice(own.lastIndexOf('/') + 1) : '';
    const credentials = roleName ? iam.sessionCredentials(roleName, sessionName) : undefined;
    if (credentials) return { roleName, credentials };
    ctx.log(
      `[iam] ${ctx.template.stackName}: ${resource.logicalId}: its role ${String(own)} is not defined in a stack here: its calls are not checked locally`,
    );
    return undefined;
  }
  if (!resource.type.startsWith('AWS::Serverless::')) {
    // CloudFormation's own types need a Role (RoleArn); without one only SAM would make it.
    ctx.log(
      `[iam] ${ctx.template.stackName}: ${resource.logicalId} (${resource.type}) has no role (AWS requires one): its calls are not checked locally`,
    );
    return undefined;
  }
  const roleName = samRoleName(ctx.template.stackName, resource.logicalId);
  try {
    const credentials = iam.putRole({
      roleName,
      sessionName,
      stack: ctx.template.stackName,
      logicalId: resource.logicalId,
      policies: samRolePolicies(resource, ctx),
    });
    return { roleName, credentials };
  } catch (e) {
    if (e instanceof InvalidPolicyError) {
      const m = /^Resources\.[^.]+\.Properties\.(Policies\[\d+\])[^:]*: /.exec(e.message);
      throw new DeployError(
        ctx.template.file,
        resource.logicalId,
        m?.[1] ?? 'Policies',
        e.message.replace(/^Resources\.[^.]+\.Properties\./, ''),
      );
    }
    throw e;
  }
}
