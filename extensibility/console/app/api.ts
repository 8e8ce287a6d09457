// What the console reads: the edge's AWS APIs (JSON protocols, unsigned: the local cloud's
// administrator) and its /_presso/ routes, on the console's own origin.

/** An AWS API's refusal: its error code and message, as the API answered them. */
export class AwsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const VERSIONS: Record<string, string> = { AWSStepFunctions: '1.0', AWSEvents: '1.1', DynamoDB_20120810: '1.0' };

/** One AWS API call: `aws('AWSStepFunctions.ListStateMachines', {})`. */
export async function aws<T>(target: string, input: object = {}): Promise<T> {
  const prefix = target.slice(0, target.lastIndexOf('.'));
  const response = await fetch('/', {
    method: 'POST',
    headers: {
      'content-type': `application/x-amz-json-${VERSIONS[prefix] ?? '1.1'}`,
      'x-amz-target': target,
      // DynamoDB Local wants a credential in every request; the edge treats a key it did not issue
      // as the administrator's, so any will do (the console's calls are never signed).
      ...(prefix === 'DynamoDB_20120810'
        ? {
            authorization:
              'AWS4-HMAC-SHA256 Credential=console/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
          }
        : {}),
    },
    body: JSON.stringify(input),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const type = String(body.__type ?? body.code ?? `HTTP ${response.status}`);
    throw new AwsApiError(type.slice(type.lastIndexOf('#') + 1), String(body.message ?? body.Message ?? type));
  }
  return body as T;
}

/** A /_presso/ admin route (GET, or POST with a JSON body); a refusal throws its message. */
export async function admin<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/_presso/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const json = (await response.json().catch(() => ({}))) as T & { message?: string };
  if (!response.ok) throw new Error(json.message ?? `${path} answered HTTP ${response.status}`);
  return json;
}

/** Step Functions dates are epoch seconds. */
export const dateOf = (seconds: number | undefined): Date | undefined =>
  seconds === undefined ? undefined : new Date(seconds * 1000);

export const duration = (ms: number): string =>
  ms < 1000
    ? `${Math.round(ms)} ms`
    : ms < 60_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

export const time = (d: Date | undefined): string => (d ? d.toLocaleTimeString() : '');

// The shapes the console reads (the parts it uses).
export interface Stack {
  name: string;
  templateFile: string;
  status: string;
  parameters: Record<string, string | string[]>;
  resources: Array<{ logicalId: string; type: string; physicalId: string }>;
  outputs: Record<string, string>;
  localOutputs: Record<string, string>;
  apis: Record<
    string,
    {
      logicalId: string;
      kind: string;
      url: string;
      routes: Array<{ routeKey: string; function: string; authorizer?: string }>;
    }
  >;
  eventApis: Record<string, { logicalId: string; httpUrl?: string; realtimeUrl?: string }>;
  notEmulated: Array<{ logicalId: string; type: string; physicalId: string }>;
  alarms?: Array<{ name: string; state: string; reason: string }>;
  deployedAt: string;
}

export interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: string;
  startDate: number;
  stopDate?: number;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface HistoryEvent {
  id: number;
  previousEventId?: number;
  type: string;
  timestamp: number;
  stateEnteredEventDetails?: { name: string; input?: string };
  stateExitedEventDetails?: { name: string; output?: string };
  taskScheduledEventDetails?: { resource: string; resourceType: string; parameters: string };
  [details: string]: unknown;
}

export interface EventEnvelope {
  id: string;
  source: string;
  'detail-type': string;
  time: string;
  resources?: string[];
  detail: unknown;
}

export interface Outcome {
  eventId: string;
  busName: string;
  ruleArn: string;
  ruleName: string;
  targetId?: string;
  status: 'matched' | 'retrying' | 'delivered' | 'dead-lettered' | 'dropped';
  attempts?: number;
  error?: string;
}

/** The stack a resource (by its physical id or ARN) belongs to. */
export function stackOf(stacks: Stack[], physicalId: string): string | undefined {
  return stacks.find((s) =>
    s.resources.some((r) => r.physicalId === physicalId || physicalId.endsWith(`:${r.physicalId}`)),
  )?.name;
}
