// What the local cloud did since it started, in the units AWS bills: GET /_presso/usage, which
// `presso cost` prices. Each figure is counted where the work happens (see the README, "Counters").

import type { ConsumedUnits } from '../services/dynamodb/consumed-capacity.js';

export interface FunctionUsage {
  name: string;
  memoryMb: number;
  architecture: 'arm64' | 'x86_64';
  invocations: number;
  /** Handler time summed, in ms. */
  durationMs: number;
  /** Each invocation's time rounded up to the ms, summed (Lambda's billed duration). */
  billedMs: number;
}

export interface Usage {
  /** When the local cloud started (ISO 8601), and how long ago in ms. */
  since: string;
  uptimeMs: number;
  region: string;
  lambda: FunctionUsage[];
  states: {
    standard: { executions: number; transitions: number };
    express: { executions: number; transitions: number; durationMs: number };
  };
  /** Events accepted on custom buses (PutEvents entries and Step Functions' events:putEvents), per detail-type. */
  events: { put: number; detailTypes: Record<string, number> };
  /** Request units consumed per table (DynamoDB Local's ReturnConsumedCapacity). */
  dynamodb: { tables: Record<string, ConsumedUnits> };
  /** Requests that reached an API Gateway API. */
  apis: { http: number; rest: number };
  /** AppSync Events: messages published and delivered to subscribers, time connections were open. */
  appsync: { published: number; delivered: number; connectionMs: number };
  /** SQS requests: the clients' through the edge, and a receive and a delete per batch a function got. */
  sqs: { requests: number };
  /** Users who signed in on a user pool (Cognito bills monthly active users). */
  cognito: { activeUsers: number };
}

export interface UsageSources {
  started: number;
  region: string;
  functions(): FunctionUsage[];
  states(): {
    executionsStarted: Record<'STANDARD' | 'EXPRESS', number>;
    transitions: Record<'STANDARD' | 'EXPRESS', number>;
    expressDurationMs: number;
  };
  busPuts(): number;
  detailTypes(): Record<string, number>;
  consumedCapacity(): Record<string, ConsumedUnits>;
  apiRequests(): { http: number; rest: number };
  appsync(): { published: number; delivered: number; connectionMs: number };
  sqsRequests(): number;
  activeUsers(): number;
}

export function usageOf(sources: UsageSources): Usage {
  const states = sources.states();
  return {
    since: new Date(sources.started).toISOString(),
    uptimeMs: Date.now() - sources.started,
    region: sources.region,
    lambda: sources.functions(),
    states: {
      standard: { executions: states.executionsStarted.STANDARD, transitions: states.transitions.STANDARD },
      express: {
        executions: states.executionsStarted.EXPRESS,
        transitions: states.transitions.EXPRESS,
        durationMs: states.expressDurationMs,
      },
    },
    events: { put: sources.busPuts(), detailTypes: sources.detailTypes() },
    dynamodb: { tables: sources.consumedCapacity() },
    apis: sources.apiRequests(),
    appsync: sources.appsync(),
    sqs: { requests: sources.sqsRequests() },
    cognito: { activeUsers: sources.activeUsers() },
  };
}
