// presso play: runs the deployed EventPlayer on a running local cloud (StartExecution, as the console
// does), shows its progress from the execution's history, and a summary. The player checks its own
// input, so a bad --event-id comes back as the player's own message.
import type { StackRecord } from '@serverlesspresso/local';
import { callCloud } from '../endpoint.js';
import { sfn } from './executions.js';

/** The output by which a stack is known as the player (extensibility/EventPlayer/template.yaml). */
export const PLAYER_OUTPUT = 'EventPlayerStateMachineArn';
/** The state whose output carries the replay's progress (extensibility/EventPlayer/statemachine/player.asl.json). */
const PROGRESS_STATE = 'Next moment';

export interface PlayOptions {
  endpoint: string;
  speed?: number;
  eventId?: string;
  /** The player's stack, when more than one is deployed. */
  stackName?: string;
  /** How often the execution is read, in milliseconds. */
  pollMs?: number;
}

export interface PlayIo {
  /** The summary. */
  out: NodeJS.WritableStream;
  /** The progress: a bar redrawn in place on a terminal, a line per tenth of the replay otherwise. */
  progress: NodeJS.WritableStream & { isTTY?: boolean };
  /** Aborting (Ctrl-C) stops the execution: nothing keeps replaying behind the user's back. */
  signal?: AbortSignal;
}

export interface ReplayProgress {
  total: number;
  sent: number;
  failed: number;
  sessionMs: number;
  durationMs: number;
}

interface Summary {
  events: number;
  sent: number;
  failed: number;
  speed: number;
  eventId?: string;
}
interface Execution {
  status: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
}
interface HistoryEvent {
  type: string;
  stateExitedEventDetails?: { name: string; output?: string };
}

const clock = (ms: number) => {
  const seconds = Math.floor(ms / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
};

/** `[#########...........]  120/342 sent  05:12/15:00 of the session  (2 failed)` */
export function progressLine(p: ReplayProgress, width = 30): string {
  const done = p.total === 0 ? 1 : Math.min(1, (p.sent + p.failed) / p.total);
  const filled = Math.round(done * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(p.sent).padStart(String(p.total).length)}/${p.total} sent  ${clock(p.sessionMs)}/${clock(p.durationMs)} of the session${p.failed ? `  (${p.failed} failed)` : ''}`;
}

const duration = (ms: number) =>
  ms < 60_000
    ? `${(ms / 1000).toFixed(1)}s`
    : `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;

/** The deployed players, by the output their template declares. */
async function findPlayer(endpoint: string, stackName: string | undefined): Promise<StackRecord | string> {
  const { stacks } = (await (await callCloud(endpoint, '/_presso/stacks')).json()) as { stacks: StackRecord[] };
  const players = stacks.filter((s) => s.outputs[PLAYER_OUTPUT]);
  if (stackName) {
    const stack = stacks.find((s) => s.name === stackName);
    if (!stack) return `no stack named ${stackName} (deployed: ${stacks.map((s) => s.name).join(', ') || 'none'})`;
    return players.includes(stack)
      ? stack
      : `stack ${stackName} is not an EventPlayer (it has no ${PLAYER_OUTPUT} output)`;
  }
  if (players.length === 0) {
    return 'no EventPlayer is deployed on this local cloud: deploy it with `presso deploy extensibility/EventPlayer` (add `--parameter-overrides CreateBus=true` without the core), or start everything with `presso up`';
  }
  if (players.length > 1)
    return `${players.length} EventPlayers are deployed (${players.map((s) => s.name).join(', ')}): choose one with --stack-name`;
  return players[0]!;
}

/** The progress the replay last reported: the output of its latest "Next moment" state. */
async function latestProgress(endpoint: string, executionArn: string): Promise<ReplayProgress | undefined> {
  const { events } = await sfn<{ events: HistoryEvent[] }>(endpoint, 'GetExecutionHistory', {
    executionArn,
    reverseOrder: true,
    maxResults: 50,
  });
  const exited = events.find((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === PROGRESS_STATE);
  const output = exited?.stateExitedEventDetails?.output;
  return output ? (JSON.parse(output) as { progress?: ReplayProgress }).progress : undefined;
}

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** The message of a failed execution: the function's errorMessage when the cause is a Lambda error. */
function failure(execution: Execution): string {
  let cause = execution.cause ?? '';
  try {
    cause = (JSON.parse(cause) as { errorMessage?: string }).errorMessage ?? cause;
  } catch {
    // a plain-text cause
  }
  return `${execution.error ?? 'failed'}${cause ? `: ${cause}` : ''}`;
}

export async function playCommand(options: PlayOptions, io: PlayIo): Promise<number> {
  const player = await findPlayer(options.endpoint, options.stackName);
  if (typeof player === 'string') {
    io.out.write(`presso play: ${player}\n`);
    return 1;
  }
  const input = {
    ...(options.speed !== undefined ? { speed: options.speed } : {}),
    ...(options.eventId !== undefined ? { eventId: options.eventId } : {}),
  };
  const { executionArn } = await sfn<{ executionArn: string }>(options.endpoint, 'StartExecution', {
    stateMachineArn: player.outputs[PLAYER_OUTPUT],
    input: JSON.stringify(input),
  });
  io.out.write(
    `replaying the session of ${player.name} onto ${player.outputs.EventBusName ?? 'the bus'} at speed ${options.speed ?? 1}${options.eventId ? ` as tenant ${options.eventId}` : ''}\nexecution ${executionArn}\n`,
  );

  const tty = io.progress.isTTY === true;
  let shownTenth = -1;
  const show = (p: ReplayProgress) => {
    if (tty) return void io.progress.write(`\r${progressLine(p)}\x1b[K`);
    const tenth = p.total === 0 ? 10 : Math.floor(((p.sent + p.failed) / p.total) * 10);
    if (tenth !== shownTenth) io.progress.write(`${progressLine(p)}\n`);
    shownTenth = tenth;
  };

  let execution: Execution;
  for (;;) {
    execution = await sfn<Execution>(options.endpoint, 'DescribeExecution', { executionArn });
    if (execution.status === 'RUNNING' && io.signal?.aborted) {
      await sfn(options.endpoint, 'StopExecution', {
        executionArn,
        error: 'presso.Interrupted',
        cause: 'presso play was interrupted (Ctrl-C).',
      });
      continue;
    }
    if (execution.status !== 'RUNNING') break;
    const progress = await latestProgress(options.endpoint, executionArn);
    if (progress) show(progress);
    await pause(options.pollMs ?? 250, io.signal);
  }

  // The last "Next moment" reports the final counts (or, when the replay stopped, how far it got).
  const last = await latestProgress(options.endpoint, executionArn);
  if (last) show(last);
  if (tty && last) io.progress.write('\n');
  const summary =
    execution.status === 'SUCCEEDED' && execution.output ? (JSON.parse(execution.output) as Summary) : undefined;
  const took = duration(((execution.stopDate ?? Date.now() / 1000) - execution.startDate) * 1000);
  if (!summary) {
    const sent = last ? ` after ${last.sent} of ${last.total} events were sent` : '';
    io.out.write(
      `the replay ${execution.status === 'ABORTED' ? 'was stopped' : `ended ${execution.status}`}${sent} (${took}): ${failure(execution)}\n`,
    );
    return io.signal?.aborted ? 130 : 1;
  }
  io.out.write(`replayed ${summary.events} events in ${took}: ${summary.sent} sent, ${summary.failed} failed\n`);
  return summary.failed === 0 ? 0 : 1;
}
