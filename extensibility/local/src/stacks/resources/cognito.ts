// AWS::Cognito::UserPool, UserPoolClient, UserPoolGroup and UserPoolDomain, emulated by the local
// issuer: a pool is an issuer URL in Cognito's format (its ProviderURL) with users (services/cognito),
// a client is an audience with its OAuth settings, a group a value of cognito:groups, a domain the
// OAuth endpoints and sign-in pages at <edge>/auth/<prefix>.
import {
  DEFAULT_TOKEN_VALIDITY,
  type ClientOAuth,
  type TokenValidity,
  type UserPools,
} from '../../services/apis/user-pools.js';
import { awsDomainUrl } from '../../services/cognito/domain-service.js';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../../services/cognito/users.js';
import {
  clientSecret,
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
      passwordPolicy: passwordPolicyOf(resource, ctx.template),
    });
    ctx.onDelete(() => void pools.remove(id));
  };
  return Object.assign(create, {
    // The same pool (id, issuer) stays, with its clients and groups, other stacks' too.
    async update(resource: LoadedResource, _previous: LoadedResource, ctx: DeployContext) {
      const pool = pools.get(resource.physicalId);
      if (!pool) return create(resource, ctx);
      pool.name = nameOf(resource, ctx.template, 'UserPoolName');
      pool.passwordPolicy = passwordPolicyOf(resource, ctx.template);
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

/** Policies.PasswordPolicy, with Cognito's defaults for what it leaves out. */
function passwordPolicyOf(resource: LoadedResource, template: LoadedTemplate): PasswordPolicy {
  const policies = resource.properties.Policies as { PasswordPolicy?: Record<string, unknown> } | undefined;
  const given = policies?.PasswordPolicy;
  if (given === undefined) return DEFAULT_PASSWORD_POLICY;
  const flag = (key: string, fallback: boolean) =>
    given[key] === undefined ? fallback : given[key] === true || given[key] === 'true';
  const minimumLength = given.MinimumLength === undefined ? 8 : Number(given.MinimumLength);
  if (!Number.isInteger(minimumLength) || minimumLength < 6 || minimumLength > 99)
    throw new DeployError(
      template.file,
      resource.logicalId,
      'Policies.PasswordPolicy.MinimumLength',
      `${String(given.MinimumLength)} must be a whole number from 6 to 99`,
    );
  return {
    minimumLength,
    requireLowercase: flag('RequireLowercase', false),
    requireUppercase: flag('RequireUppercase', false),
    requireNumbers: flag('RequireNumbers', false),
    requireSymbols: flag('RequireSymbols', false),
  };
}

const FLOWS = ['code', 'implicit', 'client_credentials'];
const UNITS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/** The client's OAuth properties, checked as Cognito checks them at CreateUserPoolClient. */
function oauthOf(resource: LoadedResource, ctx: DeployContext): ClientOAuth | undefined {
  const p = resource.properties;
  const fail = (property: string, message: string) =>
    new DeployError(ctx.template.file, resource.logicalId, property, message);
  const list = (property: string): string[] => {
    const value = p[property];
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
      throw fail(property, 'must be a list of strings');
    return value as string[];
  };
  const flows = list('AllowedOAuthFlows');
  const scopes = list('AllowedOAuthScopes');
  const callbackUrls = list('CallbackURLs');
  const logoutUrls = list('LogoutURLs');
  const identityProviders = list('SupportedIdentityProviders');
  const enabled = p.AllowedOAuthFlowsUserPoolClient === true || p.AllowedOAuthFlowsUserPoolClient === 'true';
  if (!enabled && flows.length === 0 && callbackUrls.length === 0) return undefined;
  const badFlow = flows.find((f) => !FLOWS.includes(f));
  if (badFlow) throw fail('AllowedOAuthFlows', `${badFlow} is not an OAuth flow (${FLOWS.join(', ')})`);
  if (enabled && (flows.length === 0 || scopes.length === 0))
    throw fail(
      'AllowedOAuthFlowsUserPoolClient',
      'AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.',
    );
  if (flows.some((f) => f === 'code' || f === 'implicit') && callbackUrls.length === 0)
    throw fail('CallbackURLs', 'a client with the code or implicit flow needs at least one callback URL');
  for (const [property, urls] of [
    ['CallbackURLs', callbackUrls],
    ['LogoutURLs', logoutUrls],
  ] as const) {
    urls.forEach((url, i) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw fail(`${property}[${i}]`, `${url} is not an absolute URL`);
      }
      if (parsed.hash !== '' || url.includes('#'))
        throw fail(`${property}[${i}]`, `${url} must not have a fragment (#...)`);
      // Cognito takes http only for localhost; locally any http host works, but say AWS will refuse it.
      if (parsed.protocol === 'http:' && parsed.hostname !== 'localhost')
        ctx.log(
          `[stacks] ${ctx.template.stackName}: ${resource.logicalId}.${property}[${i}]: ${url}: Cognito in AWS takes http only for localhost; use https there`,
        );
    });
  }
  const defaultRedirectUri = typeof p.DefaultRedirectURI === 'string' ? p.DefaultRedirectURI : undefined;
  if (defaultRedirectUri !== undefined && !callbackUrls.includes(defaultRedirectUri))
    throw fail('DefaultRedirectURI', `${defaultRedirectUri} must be one of the CallbackURLs`);
  if (enabled && !identityProviders.includes('COGNITO'))
    throw fail(
      'SupportedIdentityProviders',
      `must include COGNITO: the local cloud signs in the pool's own users only${identityProviders.length ? ` (${identityProviders.join(', ')} are not emulated)` : ''}`,
    );
  const other = identityProviders.filter((i) => i !== 'COGNITO');
  if (other.length > 0)
    ctx.log(
      `[stacks] ${ctx.template.stackName}: ${resource.logicalId}: identity providers ${other.join(', ')} are not emulated`,
    );
  return {
    enabled,
    flows,
    scopes,
    callbackUrls,
    logoutUrls,
    identityProviders,
    ...(defaultRedirectUri !== undefined ? { defaultRedirectUri } : {}),
  };
}

/** AccessTokenValidity, IdTokenValidity, RefreshTokenValidity in TokenValidityUnits, within Cognito's bounds. */
function validityOf(resource: LoadedResource, ctx: DeployContext): TokenValidity {
  const p = resource.properties;
  const units = (p.TokenValidityUnits ?? {}) as Record<string, unknown>;
  const seconds = (
    property: string,
    unitKey: string,
    defaultUnit: string,
    fallback: number,
    min: number,
    max: number,
  ) => {
    const value = p[property];
    if (value === undefined) return fallback;
    const unit = String(units[unitKey] ?? defaultUnit);
    if (!(unit in UNITS))
      throw new DeployError(
        ctx.template.file,
        resource.logicalId,
        `TokenValidityUnits.${unitKey}`,
        `${unit} is not a unit (${Object.keys(UNITS).join(', ')})`,
      );
    const total = Number(value) * UNITS[unit]!;
    if (!Number.isFinite(total) || total < min || total > max)
      throw new DeployError(
        ctx.template.file,
        resource.logicalId,
        property,
        `${String(value)} ${unit} is outside ${min / 60} minutes to ${max / 86400} days`,
      );
    return total;
  };
  return {
    accessSeconds: seconds(
      'AccessTokenValidity',
      'AccessToken',
      'hours',
      DEFAULT_TOKEN_VALIDITY.accessSeconds,
      300,
      86400,
    ),
    idSeconds: seconds('IdTokenValidity', 'IdToken', 'hours', DEFAULT_TOKEN_VALIDITY.idSeconds, 300, 86400),
    refreshSeconds: seconds(
      'RefreshTokenValidity',
      'RefreshToken',
      'days',
      DEFAULT_TOKEN_VALIDITY.refreshSeconds,
      3600,
      3650 * 86400,
    ),
  };
}

export function userPoolClientHandler(pools: UserPools): ResourceHandler {
  return async (resource, ctx) => {
    const poolId = poolOf(pools, resource, ctx.template);
    const oauth = oauthOf(resource, ctx);
    const generateSecret = resource.properties.GenerateSecret === true || resource.properties.GenerateSecret === 'true';
    ctx.onDelete(
      pools.addClient(poolId, {
        clientId: resource.physicalId,
        name: nameOf(resource, ctx.template, 'ClientName'),
        logicalId: resource.logicalId,
        validity: validityOf(resource, ctx),
        ...(oauth ? { oauth } : {}),
        ...(generateSecret ? { secret: clientSecret(ctx.template.stackName, resource.logicalId) } : {}),
      }),
    );
  };
}

const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * AWS::Cognito::UserPoolDomain: a prefix domain (`<prefix>.auth.<region>.amazoncognito.com`), or a
 * custom domain (CustomDomainConfig), served at `<edge>/auth/<domain>`; one domain per pool.
 */
export function userPoolDomainHandler(pools: UserPools, edgeUrl: string): ResourceHandler {
  return async (resource, ctx) => {
    const poolId = poolOf(pools, resource, ctx.template);
    const domain = resource.properties.Domain;
    const custom = resource.properties.CustomDomainConfig !== undefined;
    if (typeof domain !== 'string' || domain === '')
      throw new DeployError(ctx.template.file, resource.logicalId, 'Domain', 'is required: the domain prefix');
    if (!custom && !DOMAIN_PREFIX.test(domain))
      throw new DeployError(
        ctx.template.file,
        resource.logicalId,
        'Domain',
        `${domain} is not a valid domain prefix: lowercase letters, numbers and hyphens, 1 to 63 characters, not starting or ending with a hyphen`,
      );
    if (!custom && /aws|amazon|cognito/.test(domain))
      throw new DeployError(
        ctx.template.file,
        resource.logicalId,
        'Domain',
        `${domain}: Cognito refuses a domain prefix containing aws, amazon or cognito`,
      );
    try {
      ctx.onDelete(pools.addDomain(poolId, domain));
    } catch (e) {
      throw new DeployError(ctx.template.file, resource.logicalId, 'Domain', (e as Error).message);
    }
    ctx.log(
      `[stacks] ${ctx.template.stackName}: ${resource.logicalId}: ${awsDomainUrl(domain, ctx.template.region)} answers at ${edgeUrl}/auth/${domain}`,
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
