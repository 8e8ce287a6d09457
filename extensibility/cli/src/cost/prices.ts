// AWS's public prices for what the apps use, us-east-1, on-demand, in USD. Dated: prices change;
// check the source pages before budgeting and update the date with the figures. Free tiers are
// kept apart (monthly allowances; `presso cost` shows them, never deducts them from a run).

export interface PriceTable {
  /** When these figures were read from the sources. */
  asOf: string;
  region: string;
  currency: 'USD';
  lambda: {
    perMillionRequests: number;
    perGbSecond: { x86_64: number; arm64: number };
    freeTier: { requests: number; gbSeconds: number };
    source: string;
  };
  stepFunctions: {
    standardPerTransition: number;
    expressPerMillionRequests: number;
    /** First tier (the first 1,000 GB-hours of a month). */
    expressPerGbSecond: number;
    /** Express bills memory in 64 MB steps from what an execution uses; the local engine does not measure it: the minimum. */
    expressMemoryMb: number;
    freeTier: { standardTransitions: number };
    source: string;
  };
  eventBridge: { perMillionCustomEvents: number; source: string };
  dynamoDb: {
    perMillionReadRequestUnits: number;
    perMillionWriteRequestUnits: number;
    source: string;
  };
  apiGateway: {
    httpPerMillionRequests: number;
    restPerMillionRequests: number;
    /** The first 12 months of an account. */
    freeTier: { httpRequests: number; restRequests: number };
    source: string;
  };
  appSyncEvents: {
    perMillionOperations: number;
    perMillionConnectionMinutes: number;
    /** The first 12 months of an account. */
    freeTier: { operations: number; connectionMinutes: number };
    source: string;
  };
  sqs: { perMillionRequests: number; freeTier: { requests: number }; source: string };
  cognito: { perMonthlyActiveUser: number; freeTier: { monthlyActiveUsers: number }; source: string };
}

export const PRICES: PriceTable = {
  asOf: '2025-06-01',
  region: 'us-east-1',
  currency: 'USD',
  lambda: {
    perMillionRequests: 0.2,
    perGbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 },
    freeTier: { requests: 1_000_000, gbSeconds: 400_000 },
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  stepFunctions: {
    standardPerTransition: 0.000025,
    expressPerMillionRequests: 1.0,
    expressPerGbSecond: 0.00001667,
    expressMemoryMb: 64,
    freeTier: { standardTransitions: 4_000 },
    source: 'https://aws.amazon.com/step-functions/pricing/',
  },
  eventBridge: { perMillionCustomEvents: 1.0, source: 'https://aws.amazon.com/eventbridge/pricing/' },
  dynamoDb: {
    perMillionReadRequestUnits: 0.125,
    perMillionWriteRequestUnits: 0.625,
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  apiGateway: {
    httpPerMillionRequests: 1.0,
    restPerMillionRequests: 3.5,
    freeTier: { httpRequests: 1_000_000, restRequests: 1_000_000 },
    source: 'https://aws.amazon.com/api-gateway/pricing/',
  },
  appSyncEvents: {
    perMillionOperations: 1.0,
    perMillionConnectionMinutes: 0.08,
    freeTier: { operations: 250_000, connectionMinutes: 600_000 },
    source: 'https://aws.amazon.com/appsync/pricing/',
  },
  sqs: {
    perMillionRequests: 0.4,
    freeTier: { requests: 1_000_000 },
    source: 'https://aws.amazon.com/sqs/pricing/',
  },
  cognito: {
    perMonthlyActiveUser: 0.015,
    freeTier: { monthlyActiveUsers: 10_000 },
    source: 'https://aws.amazon.com/cognito/pricing/',
  },
};
