// The Lambda the run's state machine calls once a minute: it checks the run's input, then starts one
// execution of the customer state machine per customer arriving in that minute. Execution names are
// the order ids, which depend only on the run and the customer, so a retried minute starts nobody
// twice. Thin: who arrives when is in schedule.ts, the input in options.ts.
//
// Starting thousands of customers takes seconds, and each customer waits for its second from the
// moment it starts: the whole seconds already spent since the minute began are taken off its wait,
// and off the run's wait for the next minute, so the rate holds. They are wall-clock seconds: exact
// in AWS; under the local cloud's time scale they take off less than was spent, so nobody is early.
import middy from '@middy/core';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { runOptions, type RunOptions } from './options.js';
import { lastMinute, lateBy, minutePlan, spentSince, type CustomerInput } from './schedule.js';

export interface NextMinuteRequest {
  /** The run's execution input. */
  input?: unknown;
  /** The run's execution ARN. */
  execution: string;
  /** The minute of the run, from 0. */
  minute: number;
  /** When the minute began: the task state's entered time (ISO 8601); the call's start without it. */
  minuteStartedAt?: string;
}

export interface NextMinuteResult {
  minute: number;
  /** Customers started in this minute. */
  started: number;
  /** Customers of the run so far. */
  arrived: number;
  done: boolean;
  waitSeconds: number;
  /** The run as it was understood (defaults filled in). */
  run: Omit<RunOptions, 'drinks'> & { minutes: number; drinks: Record<string, number> };
}

/** Some customers of the minute could not be started: the state machine retries the minute. */
export class CustomersNotStarted extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CustomersNotStarted';
  }
}

const customerMachine = process.env.CUSTOMER_STATE_MACHINE_ARN;
if (!customerMachine)
  throw new Error(
    'CUSTOMER_STATE_MACHINE_ARN is not set: the template passes the customer state machine to the function',
  );

// The SDK finds the endpoint (AWS, or the local cloud through AWS_ENDPOINT_URL) and the region itself.
const sfn = new SFNClient({});
/** StartExecution calls in flight at once. */
const PARALLEL = 16;

async function start(customer: CustomerInput): Promise<void> {
  try {
    // The same name whatever the input: a customer started by an earlier attempt is not started again.
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: customerMachine,
        name: customer.orderId,
        input: JSON.stringify(customer),
      }),
    );
  } catch (e) {
    // Started by an earlier attempt at this minute (the same name): nothing to do.
    if ((e as Error).name !== 'ExecutionAlreadyExists') throw e;
  }
}

async function startAll(customers: CustomerInput[], spentSeconds: () => number): Promise<void> {
  const failures: Error[] = [];
  let next = 0;
  const worker = async () => {
    while (next < customers.length) {
      const customer = customers[next++]!;
      await start(lateBy(customer, spentSeconds())).catch((e: Error) => failures.push(e));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, customers.length) }, worker));
  if (failures.length > 0) {
    throw new CustomersNotStarted(
      `${failures.length} of ${customers.length} customers could not be started (first: ${failures[0]!.name}: ${failures[0]!.message})`,
    );
  }
}

export const handler = middy<NextMinuteRequest, NextMinuteResult>().handler(
  async ({ input, execution, minute, minuteStartedAt }) => {
    const began = Date.now();
    const options = runOptions(input, execution);
    const plan = minutePlan(options, execution, minute);
    const startedAt = minuteStartedAt === undefined ? NaN : Date.parse(minuteStartedAt);
    const spentSeconds = () => spentSince(Number.isNaN(startedAt) ? began : Math.min(startedAt, began), Date.now());
    await startAll(plan.customers, spentSeconds);
    const { drinks, ...rest } = options;
    return {
      minute,
      started: plan.customers.length,
      arrived: plan.arrived,
      done: plan.done,
      waitSeconds: Math.max(0, plan.waitSeconds - spentSeconds()),
      run: {
        ...rest,
        minutes: lastMinute(options) + 1,
        drinks: Object.fromEntries(drinks.map((d) => [d.drink, Number(d.share.toFixed(4))])),
      },
    };
  },
);
