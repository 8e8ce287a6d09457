// Where an Event API answers, in AWS and locally. Templates keep AWS's values (Dns.Http is
// `<apiId>.appsync-api.<region>.amazonaws.com`, Dns.Realtime `<apiId>.appsync-realtime-api...`);
// locally, a URL built on them points at the edge instead: in stack outputs (localOutputs) and in
// functions' environment variables. Only URLs are rewritten (the scheme tells http from ws); a
// bare domain stays AWS's, so pass `https://${Api.Dns.Http}/event` rather than the domain.
import { partitionOf } from '../../stacks/template/resolver.js';

export const httpDomain = (apiId: string, region: string) =>
  `${apiId}.appsync-api.${region}.${partitionOf(region).urlSuffix}`;
export const realtimeDomain = (apiId: string, region: string) =>
  `${apiId}.appsync-realtime-api.${region}.${partitionOf(region).urlSuffix}`;

/** The local base of an API: `<edge>/appsync/<apiId>` (`ws://...` for the realtime endpoint). */
export function localBase(edgeUrl: string, apiId: string, realtime = false): string {
  const base = `${edgeUrl}/appsync/${apiId}`;
  return realtime ? base.replace(/^http/, 'ws') : base;
}

const AWS_URL = /\b(https|wss):\/\/([a-z0-9]{26})\.appsync-(api|realtime-api)\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?/g;

/** A value with every AppSync Events URL (https://<Dns.Http>, wss://<Dns.Realtime>) pointing at the edge. */
export function localAppSyncUrls(value: string, edgeUrl: string): string {
  if (!value.includes('.appsync-')) return value;
  return value.replace(AWS_URL, (_match, _scheme: string, apiId: string, kind: string) =>
    localBase(edgeUrl, apiId, kind === 'realtime-api'),
  );
}
