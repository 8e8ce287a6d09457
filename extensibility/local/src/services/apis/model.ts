// What an API is made of, as the stack deployer registers it: routes to functions, the stage,
// CORS (an HTTP API's CorsConfiguration or a REST API's SAM Cors) and JWT/Cognito authorizers.

export interface CorsConfig {
  allowOrigins: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
  allowCredentials?: boolean;
}

/**
 * A REST API's CORS as SAM's `Cors` builds it: OPTIONS methods answered by a mock integration
 * with these literal header values; other responses get only what the function returns.
 */
export interface RestCorsConfig {
  allowOrigin: string;
  /** Default: the methods of the path, plus OPTIONS. */
  allowMethods?: string;
  allowHeaders?: string;
  maxAge?: string;
  allowCredentials?: boolean;
  /** The authorizer SAM puts on the OPTIONS methods (AddDefaultAuthorizerToCorsPreflight). */
  authorizer?: string;
}

export type AuthorizerConfig =
  /** HTTP APIs: any OIDC issuer; a deployed user pool's ProviderURL, or else emulated by the local issuer. */
  | { type: 'JWT'; issuer: string; audience?: string[]; identitySource?: string }
  /** REST APIs: tokens of these user pools (ProviderARNs). */
  | { type: 'COGNITO_USER_POOLS'; providerArns: string[]; identitySource?: string };

export interface RouteConfig {
  method: string;
  path: string;
  functionArn: string;
  /** An authorizer's name, 'NONE', or undefined for the API's default authorizer. */
  authorizer?: string;
  /** The token must carry one of these scopes. */
  authorizationScopes?: string[];
  payloadFormatVersion?: '1.0' | '2.0';
}

export interface ApiConfig {
  apiId: string;
  name: string;
  kind: 'HTTP' | 'REST';
  /** REST: 'Prod' unless set; HTTP: '$default' unless set. A stage other than $default is the first path segment. */
  stage?: string;
  /** HTTP APIs' CorsConfiguration, applied by API Gateway to preflights and responses. */
  cors?: CorsConfig;
  restCors?: RestCorsConfig;
  authorizers?: Record<string, AuthorizerConfig>;
  defaultAuthorizer?: string;
  routes: RouteConfig[];
}

/** REST: 'Prod' unless set; HTTP: '$default' unless set. */
export function stageOf(api: ApiConfig): string {
  return api.stage ?? (api.kind === 'REST' ? 'Prod' : '$default');
}

/** The path after the stage segment; undefined when the path is not under the stage. */
export function stripStage(path: string, stage: string): string | undefined {
  if (stage === '$default') return path;
  const prefix = `/${stage}`;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined;
}
