// What an AppSync Events API is locally: its authorization providers and modes, its channel
// namespaces (with their handlers) and its API keys, as AWS::AppSync::Api, ChannelNamespace and
// ApiKey declare them.
import type { CompiledHandlers } from './handlers.js';

export const AUTH_TYPES = ['API_KEY', 'AWS_IAM', 'AMAZON_COGNITO_USER_POOLS'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

/** AppSync's limits: events per publish and bytes per event. */
export const MAX_EVENTS_PER_PUBLISH = 5;
export const MAX_EVENT_BYTES = 240 * 1024;

export interface AuthProvider {
  authType: AuthType;
  cognito?: { userPoolId: string; awsRegion: string; appIdClientRegex?: string };
}

export interface EventApiConfig {
  apiId: string;
  name: string;
  arn: string;
  region: string;
  accountId: string;
  authProviders: AuthProvider[];
  connectionAuthModes: AuthType[];
  defaultPublishAuthModes: AuthType[];
  defaultSubscribeAuthModes: AuthType[];
}

export interface NamespaceConfig {
  name: string;
  arn: string;
  /** The namespace's own modes; the API's defaults when absent. */
  publishAuthModes?: AuthType[];
  subscribeAuthModes?: AuthType[];
  handlers?: CompiledHandlers;
}

export interface ApiKeyConfig {
  id: string;
  /** The value clients send as x-api-key (`da2-...`). */
  key: string;
  /** Epoch seconds after which the key is refused. */
  expires: number;
}

/** An error as AppSync answers it: `{ errorType, message }` in `errors`, with an HTTP status for HTTP publish. */
export class AppSyncError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
  toJSON(): { errorType: string; message: string } {
    return { errorType: this.errorType, message: this.message };
  }
}

export const unauthorized = (message = 'You are not authorized to make this call.') =>
  new AppSyncError('UnauthorizedException', message, 401);
export const badRequest = (message: string) => new AppSyncError('BadRequestException', message, 400);
