// Cognito user pools as the local issuer emulates them: a pool is an issuer URL
// (https://cognito-idp.<region>.amazonaws.com/<poolId>) with app clients (the tokens' audience)
// and groups (the cognito:groups claim). Pools come from templates; `presso token` mints for one.
import { parseArn } from '../../arn.js';
import { partitionOf } from '../../stacks/template/resolver.js';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../cognito/users.js';
import type { MintOptions } from './issuer.js';

/** An app client's OAuth 2.0 settings (AllowedOAuthFlows, CallbackURLs, ...), for its user pool domain. */
export interface ClientOAuth {
  /** AllowedOAuthFlowsUserPoolClient: without it the client takes no OAuth request. */
  enabled: boolean;
  flows: string[];
  scopes: string[];
  callbackUrls: string[];
  logoutUrls: string[];
  defaultRedirectUri?: string;
  identityProviders: string[];
}

/** How long the client's tokens live, in seconds (Cognito's defaults: 1 hour, 1 hour, 30 days). */
export interface TokenValidity {
  accessSeconds: number;
  idSeconds: number;
  refreshSeconds: number;
}

export const DEFAULT_TOKEN_VALIDITY: TokenValidity = {
  accessSeconds: 3600,
  idSeconds: 3600,
  refreshSeconds: 30 * 24 * 3600,
};

export interface UserPoolClient {
  clientId: string;
  name: string;
  logicalId?: string;
  /** GenerateSecret: the token endpoint then wants client_secret (Basic auth or the form). */
  secret?: string;
  oauth?: ClientOAuth;
  validity?: TokenValidity;
}

export interface UserPool {
  id: string;
  arn: string;
  name: string;
  /** The `iss` of the pool's tokens: Fn::GetAtt ProviderURL. */
  providerUrl: string;
  stack?: string;
  logicalId?: string;
  clients: UserPoolClient[];
  groups: string[];
  /** The prefix of its AWS::Cognito::UserPoolDomain (`<prefix>.auth.<region>.amazoncognito.com`). */
  domain?: string;
  passwordPolicy: PasswordPolicy;
}

/** What `presso token` (POST /_presso/token) asks for. */
export interface TokenRequest {
  user: string;
  groups?: string[];
  /** Pool id, logical id, `stack/LogicalId` or UserPoolName; default: the only pool deployed. */
  userPool?: string;
  /** App client id, logical id or ClientName; default: the pool's only client. */
  client?: string;
  /** Overrides aud (the client id). */
  audience?: string;
  scopes?: string[];
  /** Mints for this issuer URL, bypassing pools (for authorizers of an external issuer). */
  issuer?: string;
}

/** A token request that cannot be served: the message says which option to change. */
export class TokenRequestError extends Error {}

/** The issuer URL of the pool an ARN names (arn:aws:cognito-idp:<region>:<account>:userpool/<id>). */
export function providerUrlOfArn(arn: string): string | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'cognito-idp' || !parsed.resource.startsWith('userpool/')) return undefined;
  return `https://cognito-idp.${parsed.region}.${partitionOf(parsed.region).urlSuffix}/${parsed.resource.slice('userpool/'.length)}`;
}

export class UserPools {
  private readonly pools = new Map<string, UserPool>();

  add(pool: Omit<UserPool, 'clients' | 'groups' | 'passwordPolicy'> & { passwordPolicy?: PasswordPolicy }): UserPool {
    if (this.pools.has(pool.id)) throw new Error(`User pool ${pool.id} already exists.`);
    const entry: UserPool = { passwordPolicy: DEFAULT_PASSWORD_POLICY, ...pool, clients: [], groups: [] };
    this.pools.set(pool.id, entry);
    return entry;
  }

  remove(id: string): boolean {
    return this.pools.delete(id);
  }

  get(id: string): UserPool | undefined {
    return this.pools.get(id);
  }

  list(): UserPool[] {
    return [...this.pools.values()];
  }

  byProviderUrl(url: string): UserPool | undefined {
    return this.list().find((p) => p.providerUrl === url);
  }

  /** The pool whose domain has this prefix (or custom domain name). */
  byDomain(domain: string): UserPool | undefined {
    return this.list().find((p) => p.domain === domain);
  }

  /** Gives a pool its domain; returns how to take it away. Throws when the domain is taken. */
  addDomain(poolId: string, domain: string): () => void {
    const pool = this.require(poolId);
    const owner = this.byDomain(domain);
    if (owner && owner !== pool) throw new Error('Domain already exists.');
    if (pool.domain !== undefined && pool.domain !== domain)
      throw new Error(`User pool ${poolId} already has a domain (${pool.domain}).`);
    pool.domain = domain;
    return () => void (pool.domain === domain && delete pool.domain);
  }

  /** Adds an app client; returns how to remove it. */
  addClient(poolId: string, client: UserPoolClient): () => void {
    const pool = this.require(poolId);
    pool.clients.push(client);
    return () => void (pool.clients = pool.clients.filter((c) => c !== client));
  }

  /** Adds a group; returns how to remove it. */
  addGroup(poolId: string, name: string): () => void {
    const pool = this.require(poolId);
    if (pool.groups.includes(name)) throw new Error(`A group named ${name} already exists in user pool ${poolId}.`);
    pool.groups.push(name);
    return () => void (pool.groups = pool.groups.filter((g) => g !== name));
  }

  /** The mint options for a token request: which pool, which client, which groups. */
  tokenOptions(request: TokenRequest): MintOptions {
    const base: MintOptions = {
      user: request.user,
      ...(request.groups?.length ? { groups: request.groups } : {}),
      ...(request.scopes?.length ? { scopes: request.scopes } : {}),
    };
    if (request.issuer !== undefined)
      return {
        ...base,
        issuer: request.issuer,
        ...(request.audience ? { audience: request.audience, clientId: request.audience } : {}),
      };
    const pool = this.pick(request.userPool);
    if (!pool) {
      if (request.client !== undefined) throw new TokenRequestError('--client needs a user pool, and none is deployed');
      return { ...base, ...(request.audience ? { audience: request.audience, clientId: request.audience } : {}) };
    }
    const unknown = (request.groups ?? []).filter((g) => !pool.groups.includes(g));
    if (unknown.length > 0) {
      throw new TokenRequestError(
        `user pool ${describe(pool)} has no group ${unknown.map((g) => `'${g}'`).join(', ')} (its groups: ${pool.groups.join(', ') || 'none; add AWS::Cognito::UserPoolGroup resources'})`,
      );
    }
    const client = request.audience === undefined ? this.pickClient(pool, request.client) : undefined;
    const audience = request.audience ?? client!.clientId;
    return { ...base, issuer: pool.providerUrl, audience, clientId: audience };
  }

  private require(poolId: string): UserPool {
    const pool = this.pools.get(poolId);
    if (!pool) throw new Error(`User pool ${poolId} does not exist.`);
    return pool;
  }

  private pick(ref: string | undefined): UserPool | undefined {
    const pools = this.list();
    if (ref === undefined) {
      if (pools.length <= 1) return pools[0];
      throw new TokenRequestError(
        `${pools.length} user pools are deployed: pick one with --user-pool (${pools.map(describe).join('; ')})`,
      );
    }
    const matches = pools.filter(
      (p) => p.id === ref || p.logicalId === ref || `${p.stack}/${p.logicalId}` === ref || p.name === ref,
    );
    if (matches.length === 1) return matches[0];
    if (matches.length > 1)
      throw new TokenRequestError(
        `--user-pool ${ref} names ${matches.length} user pools; give the pool id or STACK/LogicalId (${matches.map(describe).join('; ')})`,
      );
    throw new TokenRequestError(
      `no user pool ${ref} is deployed (${pools.length ? `deployed: ${pools.map(describe).join('; ')}` : 'none is deployed'})`,
    );
  }

  private pickClient(pool: UserPool, ref: string | undefined): UserPoolClient {
    const clients =
      ref === undefined
        ? pool.clients
        : pool.clients.filter((c) => c.clientId === ref || c.logicalId === ref || c.name === ref);
    if (clients.length === 1) return clients[0]!;
    const listed = pool.clients.map((c) => `${c.logicalId ?? c.name} (${c.clientId})`).join(', ');
    if (pool.clients.length === 0)
      throw new TokenRequestError(
        `user pool ${describe(pool)} has no app client: a token's aud is a client id; add an AWS::Cognito::UserPoolClient or pass --audience`,
      );
    if (ref === undefined)
      throw new TokenRequestError(
        `user pool ${describe(pool)} has ${clients.length} app clients: pick one with --client (${listed})`,
      );
    throw new TokenRequestError(`user pool ${describe(pool)} has no app client ${ref} (its clients: ${listed})`);
  }
}

function describe(pool: UserPool): string {
  return pool.logicalId ? `${pool.stack}/${pool.logicalId} (${pool.id})` : pool.id;
}
