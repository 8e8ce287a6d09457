// SAM's Globals section, merged into each AWS::Serverless::* resource as the SAM translator does
// (samtranslator/plugins/globals/globals.py): the resource's primitive wins, maps merge key by key,
// lists concatenate (globals first), a type mismatch keeps the resource's value, and an intrinsic
// function counts as a primitive. Merging happens before intrinsics are resolved, as in SAM.
import { at, type IssueCollector, type Location } from './errors.js';
import { intrinsicName } from './intrinsics.js';
import { isObject } from '../../json.js';

/** Properties SAM accepts in each Globals section (everything else is a SAM error). */
const SUPPORTED: Readonly<Record<string, readonly string[]>> = {
  Function: [
    'Handler',
    'Runtime',
    'CodeUri',
    'DeadLetterQueue',
    'Description',
    'MemorySize',
    'Timeout',
    'VpcConfig',
    'Environment',
    'Tags',
    'PropagateTags',
    'Tracing',
    'KmsKeyArn',
    'AutoPublishAlias',
    'AutoPublishAliasAllProperties',
    'Layers',
    'DeploymentPreference',
    'RolePath',
    'PermissionsBoundary',
    'ReservedConcurrentExecutions',
    'ProvisionedConcurrencyConfig',
    'AssumeRolePolicyDocument',
    'EventInvokeConfig',
    'FileSystemConfigs',
    'CodeSigningConfigArn',
    'Architectures',
    'SnapStart',
    'EphemeralStorage',
    'FunctionUrlConfig',
    'RuntimeManagementConfig',
    'LoggingConfig',
    'RecursiveLoop',
    'SourceKMSKeyArn',
  ],
  Api: [
    'Auth',
    'Name',
    'DefinitionUri',
    'CacheClusterEnabled',
    'CacheClusterSize',
    'MergeDefinitions',
    'Variables',
    'EndpointConfiguration',
    'MethodSettings',
    'BinaryMediaTypes',
    'MinimumCompressionSize',
    'Cors',
    'GatewayResponses',
    'AccessLogSetting',
    'CanarySetting',
    'TracingEnabled',
    'OpenApiVersion',
    'Domain',
    'AlwaysDeploy',
    'PropagateTags',
  ],
  HttpApi: [
    'Auth',
    'AccessLogSettings',
    'StageVariables',
    'Tags',
    'CorsConfiguration',
    'DefaultRouteSettings',
    'Domain',
    'RouteSettings',
    'FailOnWarnings',
    'PropagateTags',
  ],
  SimpleTable: ['SSESpecification'],
  StateMachine: ['PropagateTags'],
  LayerVersion: ['PublishLambdaVersion'],
};

/** Global properties by resource type (AWS::Serverless::Function ...). */
export type Globals = ReadonlyMap<string, Record<string, unknown>>;

export function parseGlobals(section: unknown, issues: IssueCollector): Globals {
  const globals = new Map<string, Record<string, unknown>>();
  if (section === undefined) return globals;
  const location: Location = { path: 'Globals' };
  if (!isObject(section)) {
    issues.add('must be a map of SAM resource kinds (Function, Api, HttpApi, SimpleTable, StateMachine)', location);
    return globals;
  }
  for (const [kind, properties] of Object.entries(section)) {
    const supported = SUPPORTED[kind];
    if (!supported) {
      issues.add(
        `'${kind}' is not a Globals section; use one of ${Object.keys(SUPPORTED).join(', ')}`,
        at(location, kind),
      );
      continue;
    }
    if (!isObject(properties)) {
      issues.add('must be a map of properties', at(location, kind));
      continue;
    }
    for (const key of Object.keys(properties)) {
      if (!supported.includes(key))
        issues.add(`'${key}' cannot be set in Globals.${kind}`, at(at(location, kind), key));
    }
    globals.set(`AWS::Serverless::${kind}`, properties);
  }
  return globals;
}

/**
 * The resource's properties with the globals for its type merged in. `ignoreGlobals` is SAM's
 * IgnoreGlobals attribute: '*' or a list of global property names to leave out.
 */
export function applyGlobals(
  globals: Globals,
  type: string,
  properties: Record<string, unknown>,
  ignoreGlobals: unknown,
  location: Location,
  issues: IssueCollector,
): Record<string, unknown> {
  const forType = globals.get(type);
  if (!forType) return properties;
  let inherited = forType;
  if (ignoreGlobals === '*') return properties;
  if (Array.isArray(ignoreGlobals)) {
    inherited = { ...forType };
    for (const key of ignoreGlobals) {
      if (typeof key === 'string' && key in inherited) delete inherited[key];
      else issues.add(`IgnoreGlobals: '${String(key)}' is not set in Globals`, at(location, 'IgnoreGlobals'));
    }
  } else if (ignoreGlobals !== undefined) {
    issues.add("IgnoreGlobals must be '*' or a list of property names", at(location, 'IgnoreGlobals'));
  }
  return merge(inherited, properties) as Record<string, unknown>;
}

type Token = 'primitive' | 'map' | 'list';

function tokenOf(value: unknown): Token {
  if (Array.isArray(value)) return 'list';
  // An intrinsic resolves to a primitive later, so it replaces rather than merges.
  return isObject(value) && !intrinsicName(value) ? 'map' : 'primitive';
}

function merge(globalValue: unknown, localValue: unknown): unknown {
  const token = tokenOf(globalValue);
  if (token !== tokenOf(localValue) || token === 'primitive') return localValue;
  if (token === 'list') return [...(globalValue as unknown[]), ...(localValue as unknown[])];
  const merged: Record<string, unknown> = { ...(globalValue as Record<string, unknown>) };
  for (const [key, value] of Object.entries(localValue as Record<string, unknown>)) {
    merged[key] = key in merged ? merge(merged[key], value) : value;
  }
  return merged;
}
