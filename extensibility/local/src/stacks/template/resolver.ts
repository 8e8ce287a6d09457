// What Ref and Fn::GetAtt return for the resource types the local cloud emulates, in AWS's formats.
// Names a template does not set are generated the way CloudFormation does
// (`<stack>-<LogicalId>-<12 random>`), except that the random part is derived from the stack and
// logical id, so a redeploy keeps every name.
import { createHash } from 'node:crypto';
import type { ResourceRefResolver, StackContext, TemplateResource } from './types.js';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters of `alphabet`, the same for the same seed. */
export function stableRandom(seed: string, length: number, alphabet = UPPER_ALNUM): string {
  let out = '';
  for (let round = 0; out.length < length; round++) {
    const bytes = createHash('sha256').update(`${round}:${seed}`).digest();
    for (const byte of bytes) {
      if (out.length === length) break;
      out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/**
 * CloudFormation's generated physical name, `<stackName>-<LogicalId>-<SUFFIX>`, fitted into the
 * service's limit by trimming the longer of stack name and logical id (the suffix is kept whole,
 * it is what makes the name unique).
 */
export function generatedPhysicalName(
  stackName: string,
  logicalId: string,
  options: { maxLength?: number; lowercase?: boolean; extension?: string } = {},
): string {
  const suffix = stableRandom(`${stackName}/${logicalId}`, 12, options.lowercase ? LOWER_ALNUM : UPPER_ALNUM);
  const extension = options.extension ?? '';
  const budget = (options.maxLength ?? 255) - suffix.length - extension.length - 2;
  let stack = stackName;
  let logical = logicalId;
  while (stack.length + logical.length > budget && stack.length + logical.length > 0) {
    if (stack.length >= logical.length) stack = stack.slice(0, -1);
    else logical = logical.slice(0, -1);
  }
  const name = `${stack}-${logical}-${suffix}${extension}`;
  return options.lowercase ? name.toLowerCase() : name;
}

export function partitionOf(region: string): { partition: string; urlSuffix: string } {
  if (region.startsWith('cn-')) return { partition: 'aws-cn', urlSuffix: 'amazonaws.com.cn' };
  if (region.startsWith('us-gov-')) return { partition: 'aws-us-gov', urlSuffix: 'amazonaws.com' };
  return { partition: 'aws', urlSuffix: 'amazonaws.com' };
}

interface Naming {
  /** The property that sets the name explicitly. */
  property?: string;
  maxLength: number;
  lowercase?: boolean;
  /** The generated name leaves the stack's name out. */
  logicalIdOnly?: boolean;
}

interface TypeRules {
  naming: Naming;
  ref(r: Resolved): unknown;
  attributes: Record<string, (r: Resolved) => unknown>;
}

/** What a rule gets: the resource, its (explicit or generated) name, and ARN helpers. */
interface Resolved {
  logicalId: string;
  resource: TemplateResource;
  name: string;
  arn(service: string, resource: string, options?: { region?: string; account?: string }): string;
  stack: StackContext;
  urlSuffix: string;
  id(length: number, alphabet?: string): string;
}

const lambda: TypeRules = {
  naming: { property: 'FunctionName', maxLength: 64 },
  ref: (r) => r.name,
  attributes: { Arn: (r) => r.arn('lambda', `function:${r.name}`) },
};
const serverlessFunction: TypeRules = { ...lambda };

const tableAttributes = {
  Arn: (r: Resolved) => r.arn('dynamodb', `table/${r.name}`),
};
const dynamoTable: TypeRules = {
  naming: { property: 'TableName', maxLength: 255 },
  ref: (r) => r.name,
  attributes: {
    ...tableAttributes,
    StreamArn: (r) => {
      if (r.resource.properties['StreamSpecification'] === undefined) {
        throw new Error('the table has no StreamSpecification, so it has no StreamArn');
      }
      return r.arn('dynamodb', `table/${r.name}/stream/${streamLabel(r.stack, r.logicalId)}`);
    },
  },
};

const stateMachine = (property: string): TypeRules => ({
  naming: { property, maxLength: 80, logicalIdOnly: true },
  ref: (r) => r.arn('states', `stateMachine:${r.name}`),
  attributes: { Arn: (r) => r.arn('states', `stateMachine:${r.name}`), Name: (r) => r.name },
});

const restApi: TypeRules = {
  naming: { maxLength: 128 },
  ref: (r) => r.id(10, LOWER_ALNUM),
  attributes: { RootResourceId: (r) => stableRandom(`${r.stack.stackName}/${r.logicalId}/root`, 10, LOWER_ALNUM) },
};

const httpApi: TypeRules = {
  naming: { maxLength: 128 },
  ref: (r) => r.id(10, LOWER_ALNUM),
  attributes: {
    ApiId: (r) => r.id(10, LOWER_ALNUM),
    ApiEndpoint: (r) => `https://${r.id(10, LOWER_ALNUM)}.execute-api.${r.stack.region}.${r.urlSuffix}`,
  },
};

/**
 * The API id a resource's `ApiId` property names: a literal id, or (before the API exists) the id
 * `Fn::GetAtt Api.ApiId` will resolve to, so ARNs that embed it are known at load time.
 */
function appSyncApiIdOf(r: Resolved): string {
  const raw = r.resource.properties['ApiId'];
  if (typeof raw === 'string') return raw;
  const getAtt = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)['Fn::GetAtt'] : undefined;
  const target = typeof getAtt === 'string' ? getAtt.split('.')[0] : Array.isArray(getAtt) ? getAtt[0] : undefined;
  if (typeof target !== 'string') throw new Error('ApiId must be an API id or !GetAtt <Api>.ApiId');
  return appSyncApiId(r.stack, target);
}
const appSyncApiId = (stack: StackContext, logicalId: string) =>
  stableRandom(`${stack.stackName}/${logicalId}`, 26, LOWER_ALNUM);
const appSyncApiArn = (r: Resolved) => r.arn('appsync', `apis/${r.id(26, LOWER_ALNUM)}`);
const appSyncApiKey = (r: Resolved) => `da2-${r.id(26, LOWER_ALNUM)}`;
const channelNamespaceArn = (r: Resolved) =>
  r.arn('appsync', `apis/${appSyncApiIdOf(r)}/channelNamespace/${String(r.resource.properties['Name'])}`);
/** The secret of an app client made with GenerateSecret: true (stable per stack and logical id). */
export const clientSecret = (stackName: string, logicalId: string): string =>
  stableRandom(`${stackName}/${logicalId}/secret`, 51, LOWER_ALNUM);

const userPoolId = (r: Resolved) => `${r.stack.region}_${r.id(9, MIXED_ALNUM)}`;

const RULES: Readonly<Record<string, TypeRules>> = {
  'AWS::Events::EventBus': {
    naming: { property: 'Name', maxLength: 256 },
    ref: (r) => r.name,
    attributes: { Arn: (r) => r.arn('events', `event-bus/${r.name}`), Name: (r) => r.name },
  },
  'AWS::Events::Rule': {
    naming: { property: 'Name', maxLength: 64 },
    // CloudFormation returns `<bus>|<rule>` for a rule on a custom bus, the plain name on the default bus.
    ref: (r) => {
      const bus = ruleBus(r.resource);
      return bus === 'default' ? r.name : `${bus}|${r.name}`;
    },
    attributes: {
      Arn: (r) => {
        const bus = ruleBus(r.resource);
        return r.arn('events', bus === 'default' ? `rule/${r.name}` : `rule/${bus}/${r.name}`);
      },
    },
  },
  // EventBridge Scheduler: Ref is the name; the ARN names the schedule's group.
  'AWS::Scheduler::Schedule': {
    naming: { property: 'Name', maxLength: 64 },
    ref: (r) => r.name,
    attributes: { Arn: (r) => r.arn('scheduler', `schedule/${scheduleGroup(r.resource)}/${r.name}`) },
  },
  'AWS::Events::Archive': {
    naming: { property: 'ArchiveName', maxLength: 48 },
    ref: (r) => r.name,
    attributes: { Arn: (r) => r.arn('events', `archive/${r.name}`) },
  },
  'AWS::Lambda::Function': lambda,
  'AWS::Serverless::Function': serverlessFunction,
  'AWS::DynamoDB::Table': dynamoTable,
  'AWS::Serverless::SimpleTable': {
    naming: { property: 'TableName', maxLength: 255 },
    ref: (r) => r.name,
    attributes: tableAttributes,
  },
  'AWS::StepFunctions::StateMachine': stateMachine('StateMachineName'),
  'AWS::Serverless::StateMachine': stateMachine('Name'),
  'AWS::Serverless::Api': restApi,
  'AWS::ApiGateway::RestApi': restApi,
  'AWS::Serverless::HttpApi': httpApi,
  'AWS::ApiGatewayV2::Api': httpApi,
  'AWS::IAM::Role': {
    naming: { property: 'RoleName', maxLength: 64 },
    ref: (r) => r.name,
    attributes: {
      Arn: (r) => r.arn('iam', `role${rolePath(r.resource)}${r.name}`, { region: '' }),
      RoleId: (r) => `AROA${r.id(17)}`,
    },
  },
  'AWS::SQS::Queue': {
    naming: { property: 'QueueName', maxLength: 80 },
    ref: (r) => queueUrl(r),
    attributes: { Arn: (r) => r.arn('sqs', r.name), QueueName: (r) => r.name, QueueUrl: (r) => queueUrl(r) },
  },
  'AWS::SNS::Topic': {
    naming: { property: 'TopicName', maxLength: 256 },
    ref: (r) => r.arn('sns', r.name),
    attributes: { TopicArn: (r) => r.arn('sns', r.name), TopicName: (r) => r.name },
  },
  'AWS::Logs::LogGroup': {
    naming: { property: 'LogGroupName', maxLength: 512 },
    ref: (r) => r.name,
    attributes: { Arn: (r) => r.arn('logs', `log-group:${r.name}:*`) },
  },
  'AWS::S3::Bucket': {
    naming: { property: 'BucketName', maxLength: 63, lowercase: true },
    ref: (r) => r.name,
    attributes: {
      Arn: (r) => r.arn('s3', r.name, { region: '', account: '' }),
      DomainName: (r) => `${r.name}.s3.${r.urlSuffix}`,
      RegionalDomainName: (r) => `${r.name}.s3.${r.stack.region}.${r.urlSuffix}`,
    },
  },
  // AppSync Events: Ref of an API is its ARN; Dns.Http / Dns.Realtime are AWS's host names
  // (locally, URLs on them are rewritten to the edge: services/appsync/urls.ts).
  'AWS::AppSync::Api': {
    naming: { property: 'Name', maxLength: 50 },
    ref: appSyncApiArn,
    attributes: {
      ApiArn: appSyncApiArn,
      ApiId: (r) => r.id(26, LOWER_ALNUM),
      Dns: (r) => ({
        Http: `${r.id(26, LOWER_ALNUM)}.appsync-api.${r.stack.region}.${r.urlSuffix}`,
        Realtime: `${r.id(26, LOWER_ALNUM)}.appsync-realtime-api.${r.stack.region}.${r.urlSuffix}`,
      }),
      'Dns.Http': (r) => `${r.id(26, LOWER_ALNUM)}.appsync-api.${r.stack.region}.${r.urlSuffix}`,
      'Dns.Realtime': (r) => `${r.id(26, LOWER_ALNUM)}.appsync-realtime-api.${r.stack.region}.${r.urlSuffix}`,
    },
  },
  'AWS::AppSync::ApiKey': {
    naming: { maxLength: 128 },
    ref: (r) => r.arn('appsync', `apis/${appSyncApiIdOf(r)}/apikey/${appSyncApiKey(r)}`),
    attributes: {
      ApiKey: appSyncApiKey,
      ApiKeyId: appSyncApiKey,
      Arn: (r) => r.arn('appsync', `apis/${appSyncApiIdOf(r)}/apikey/${appSyncApiKey(r)}`),
    },
  },
  'AWS::AppSync::ChannelNamespace': {
    naming: { property: 'Name', maxLength: 50 },
    ref: channelNamespaceArn,
    attributes: { ChannelNamespaceArn: channelNamespaceArn },
  },
  'AWS::Cognito::UserPool': {
    naming: { property: 'UserPoolName', maxLength: 128 },
    ref: userPoolId,
    attributes: {
      Arn: (r) => r.arn('cognito-idp', `userpool/${userPoolId(r)}`),
      UserPoolId: userPoolId,
      ProviderName: (r) => `cognito-idp.${r.stack.region}.${r.urlSuffix}/${userPoolId(r)}`,
      ProviderURL: (r) => `https://cognito-idp.${r.stack.region}.${r.urlSuffix}/${userPoolId(r)}`,
    },
  },
  'AWS::Cognito::UserPoolClient': {
    naming: { property: 'ClientName', maxLength: 128 },
    ref: (r) => r.id(26, LOWER_ALNUM),
    attributes: {
      ClientId: (r) => r.id(26, LOWER_ALNUM),
      Name: (r) => r.name,
      ClientSecret: (r) => clientSecret(r.stack.stackName, r.logicalId),
    },
  },
  // Ref of a domain is the domain (its prefix, or the custom domain's name).
  'AWS::Cognito::UserPoolDomain': {
    naming: { property: 'Domain', maxLength: 63 },
    ref: (r) => r.name,
    attributes: {
      CloudFrontDistribution: (r) => `d${r.id(13, LOWER_ALNUM)}.cloudfront.net`,
      ManagedLoginVersion: (r) => r.resource.properties['ManagedLoginVersion'] ?? 1,
    },
  },
  // Ref of a group is its name; GroupName may be left to CloudFormation.
  'AWS::Cognito::UserPoolGroup': {
    naming: { property: 'GroupName', maxLength: 128 },
    ref: (r) => r.name,
    attributes: {},
  },
  'AWS::Cognito::IdentityPool': {
    naming: { property: 'IdentityPoolName', maxLength: 128 },
    ref: (r) => `${r.stack.region}:${uuidFrom(`${r.stack.stackName}/${r.logicalId}`)}`,
    attributes: { Name: (r) => r.name },
  },
  'AWS::SSM::Parameter': {
    naming: { property: 'Name', maxLength: 2048 },
    ref: (r) => r.name,
    attributes: {
      Type: (r) => r.resource.properties['Type'],
      Value: (r) => r.resource.properties['Value'],
    },
  },
};

const FALLBACK: Naming = { maxLength: 255 };

/**
 * The resolver the loader uses unless given another: AWS's return values for the types above,
 * and for any other type a Ref giving a generated name (Fn::GetAtt on those is an error).
 */
export function defaultResourceResolver(stack: StackContext): ResourceRefResolver {
  const { partition, urlSuffix } = partitionOf(stack.region);
  const context = (logicalId: string, resource: TemplateResource): Resolved => ({
    logicalId,
    resource,
    name: physicalName(stack, logicalId, resource, RULES[resource.type]?.naming ?? FALLBACK),
    arn: (service, rest, options = {}) =>
      `arn:${partition}:${service}:${options.region ?? stack.region}:${options.account ?? stack.accountId}:${rest}`,
    stack,
    urlSuffix,
    id: (length, alphabet) => stableRandom(`${stack.stackName}/${logicalId}`, length, alphabet),
  });
  return {
    ref(logicalId, resource) {
      const rules = RULES[resource.type];
      const r = context(logicalId, resource);
      return rules ? rules.ref(r) : r.name;
    },
    getAtt(logicalId, attribute, resource) {
      const rules = RULES[resource.type];
      if (!rules)
        throw new Error(`the default resolver knows no attributes of ${resource.type}; pass a resolver that does`);
      const read = Object.hasOwn(rules.attributes, attribute) ? rules.attributes[attribute] : undefined;
      if (!read) {
        throw new Error(
          `${resource.type} has no attribute '${attribute}' (it has: ${Object.keys(rules.attributes).join(', ')})`,
        );
      }
      return read(context(logicalId, resource));
    },
  };
}

function physicalName(stack: StackContext, logicalId: string, resource: TemplateResource, naming: Naming): string {
  const explicit = naming.property ? resource.properties[naming.property] : undefined;
  if (typeof explicit === 'string' && explicit !== '') return explicit;
  // A FIFO queue's name must end in .fifo, generated or not.
  const extension = resource.type === 'AWS::SQS::Queue' && isTrue(resource.properties['FifoQueue']) ? '.fifo' : '';
  const options: { maxLength: number; lowercase?: boolean; extension?: string } = {
    maxLength: naming.maxLength,
    extension,
  };
  if (naming.lowercase) options.lowercase = true;
  if (naming.logicalIdOnly) {
    // Step Functions: `<LogicalId>-<12 mixed-case>`, without the stack's name (e.g. OrderProcessorStateMachine-KiT1d0o9UrAQ).
    const suffix = stableRandom(`${stack.stackName}/${logicalId}`, 12, MIXED_ALNUM);
    return `${logicalId.slice(0, naming.maxLength - suffix.length - 1)}-${suffix}`;
  }
  return generatedPhysicalName(stack.stackName, logicalId, options);
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

function ruleBus(resource: TemplateResource): string {
  const bus = resource.properties['EventBusName'];
  if (typeof bus !== 'string' || bus === '') return 'default';
  // A bus given by ARN: the name is everything after "event-bus/".
  const marker = bus.indexOf(':event-bus/');
  return bus.startsWith('arn:') && marker >= 0 ? bus.slice(marker + ':event-bus/'.length) : bus;
}

function scheduleGroup(resource: TemplateResource): string {
  const group = resource.properties['GroupName'];
  return typeof group === 'string' && group !== '' ? group : 'default';
}

function rolePath(resource: TemplateResource): string {
  const path = resource.properties['Path'];
  return typeof path === 'string' && path.startsWith('/') && path.endsWith('/') ? path : '/';
}

function queueUrl(r: Resolved): string {
  return `https://sqs.${r.stack.region}.${r.urlSuffix}/${r.stack.accountId}/${r.name}`;
}

/** A DynamoDB stream label is the stream's creation time; derive a stable one. */
function streamLabel(stack: StackContext, logicalId: string): string {
  const hash = createHash('sha256').update(`${stack.stackName}/${logicalId}/stream`).digest();
  const offsetMs = hash.readUInt32BE(0) * 10; // within ~1.4 years of the base
  return new Date(Date.UTC(2024, 0, 1) + offsetMs).toISOString().replace('Z', '');
}

export function uuidFrom(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
