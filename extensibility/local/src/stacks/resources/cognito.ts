// AWS::Cognito::UserPool, UserPoolClient and UserPoolGroup, emulated by the local issuer: a pool
// is an issuer URL in Cognito's format (its ProviderURL), a client is an audience, a group a value
// `presso token --groups` may put in cognito:groups. Sign-up, sign-in and the Cognito API are not
// emulated: tokens come from `presso token`.
import type { UserPools } from '../../services/apis/user-pools.js';
import {
  defaultResourceResolver,
  generatedPhysicalName,
  type LoadedResource,
  type LoadedTemplate,
} from '../template/index.js';
import { DeployError, type DeployContext, type ResourceHandler } from '../model.js';

function attribute(template: LoadedTemplate, resource: LoadedResource, name: string): string {
  return defaultResourceResolver({
    stackName: template.stackName,
    region: template.region,
    accountId: template.accountId,
  }).getAtt(resource.logicalId, name, resource) as string;
}

function nameOf(resource: LoadedResource, template: LoadedTemplate, property: string): string {
  const explicit = resource.properties[property];
  return typeof explicit === 'string' && explicit !== ''
    ? explicit
    : generatedPhysicalName(template.stackName, resource.logicalId, { maxLength: 128 });
}

export function userPoolHandler(pools: UserPools): ResourceHandler {
  const create: ResourceHandler = async (resource, ctx) => {
    const id = resource.physicalId;
    if (pools.get(id))
      throw new DeployError(
        ctx.template.file,
        resource.logicalId,
        undefined,
        `User pool ${id} already exists (another stack owns it).`,
      );
    pools.add({
      id,
      arn: attribute(ctx.template, resource, 'Arn'),
      providerUrl: attribute(ctx.template, resource, 'ProviderURL'),
      name: nameOf(resource, ctx.template, 'UserPoolName'),
      stack: ctx.template.stackName,
      logicalId: resource.logicalId,
    });
    ctx.onDelete(() => void pools.remove(id));
  };
  return Object.assign(create, {
    // The same pool (id, issuer) stays, with its clients and groups, other stacks' too.
    async update(resource: LoadedResource, _previous: LoadedResource, ctx: DeployContext) {
      const pool = pools.get(resource.physicalId);
      if (!pool) return create(resource, ctx);
      pool.name = nameOf(resource, ctx.template, 'UserPoolName');
    },
  });
}

/** The pool a client or group belongs to: its UserPoolId, a pool deployed by this stack or another. */
function poolOf(pools: UserPools, resource: LoadedResource, template: LoadedTemplate): string {
  const id = resource.properties.UserPoolId;
  if (typeof id !== 'string' || id === '')
    throw new DeployError(template.file, resource.logicalId, 'UserPoolId', 'is required: !Ref a user pool');
  if (!pools.get(id)) {
    const known = pools.list().map((p) => p.id);
    throw new DeployError(
      template.file,
      resource.logicalId,
      'UserPoolId',
      `user pool ${id} does not exist (deployed: ${known.length ? known.join(', ') : 'none'})`,
    );
  }
  return id;
}

export function userPoolClientHandler(pools: UserPools): ResourceHandler {
  return async (resource, ctx) => {
    const poolId = poolOf(pools, resource, ctx.template);
    ctx.onDelete(
      pools.addClient(poolId, {
        clientId: resource.physicalId,
        name: nameOf(resource, ctx.template, 'ClientName'),
        logicalId: resource.logicalId,
      }),
    );
  };
}

export function userPoolGroupHandler(pools: UserPools): ResourceHandler {
  return async (resource, ctx) => {
    const poolId = poolOf(pools, resource, ctx.template);
    try {
      ctx.onDelete(pools.addGroup(poolId, resource.physicalId));
    } catch (e) {
      throw new DeployError(ctx.template.file, resource.logicalId, 'GroupName', (e as Error).message);
    }
  };
}
