// presso executions [STATE_MACHINE] [--history ARN]: executions per state machine, or one's history,
// read through the edge's Step Functions API (the same calls the console makes in AWS).
import { callCloud } from '../endpoint.js';

/** One Step Functions API call on the edge; an AWS error becomes an Error "<code>: <message>". */
export async function sfn<T>(endpoint: string, operation: string, input: Record<string, unknown>): Promise<T> {
  const response = await callCloud(endpoint, '/', {
    method: 'POST',
    headers: { 'x-amz-target': `AWSStepFunctions.${operation}`, 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as T & { __type?: string; message?: string };
  if (!response.ok) throw new Error(`${body.__type ?? response.status}: ${body.message ?? ''}`);
  return body;
}

interface Execution {
  executionArn: string;
  name: string;
  status: string;
  startDate: number;
  stopDate?: number;
}
interface HistoryEvent {
  id: number;
  type: string;
  timestamp: number;
  [details: string]: unknown;
}

const time = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

export async function executionsCommand(
  endpoint: string,
  stateMachine: string | undefined,
  options: { history?: string; status?: string },
  out: NodeJS.WritableStream,
): Promise<number> {
  if (options.history) {
    const { events } = await sfn<{ events: HistoryEvent[] }>(endpoint, 'GetExecutionHistory', {
      executionArn: options.history,
      maxResults: 1000,
    });
    for (const e of events) {
      const { id, type, timestamp, previousEventId: _p, ...details } = e;
      const detail = Object.values(details)[0];
      out.write(
        `${String(id).padStart(4)}  ${time(timestamp)}  ${type.padEnd(28)} ${detail ? JSON.stringify(detail) : ''}\n`,
      );
    }
    return 0;
  }
  const { stateMachines } = await sfn<{ stateMachines: Array<{ name: string; stateMachineArn: string }> }>(
    endpoint,
    'ListStateMachines',
    { maxResults: 1000 },
  );
  const chosen = stateMachines.filter(
    (m) => !stateMachine || m.name === stateMachine || m.stateMachineArn === stateMachine,
  );
  if (stateMachine && chosen.length === 0) {
    out.write(
      `presso executions: no state machine named ${stateMachine} (deployed: ${stateMachines.map((m) => m.name).join(', ') || 'none'})\n`,
    );
    return 1;
  }
  for (const m of chosen) {
    const { executions } = await sfn<{ executions: Execution[] }>(endpoint, 'ListExecutions', {
      stateMachineArn: m.stateMachineArn,
      maxResults: 1000,
      ...(options.status ? { statusFilter: options.status } : {}),
    });
    out.write(`${m.name}  (${executions.length} executions)\n`);
    for (const e of executions) out.write(`    ${e.status.padEnd(10)} ${time(e.startDate)}  ${e.executionArn}\n`);
  }
  return 0;
}
