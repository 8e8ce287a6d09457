// presso dlq: the dead-letter queues (SQS queues a redrive policy, a rule's DeadLetterConfig, a
// function's DeadLetterQueue or an OnFailure destination names) with their depth, whose they are and
// their alarms, then every failure they hold; redrive delivers them again to whoever failed them
// (a rule's target, a function; a stream batch is read again from its shard).
import type { DeadLetter } from '@serverlesspresso/local';
import { callCloud } from '../endpoint.js';

interface QueueView {
  queueArn: string;
  queueName: string;
  depth?: number;
  consumers?: string[];
  alarms?: Array<{ name: string; state: string }>;
  messages: Array<{
    messageId: string;
    body: string;
    attributes: Record<string, string>;
    messageAttributes: Record<string, string>;
  }>;
}

/** One line on what a failure record says (Lambda's record of an asynchronous invocation or of a stream batch). */
export function describeFailure(body: string): string | undefined {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const context = record.requestContext as
    { functionArn?: string; condition?: string; approximateInvokeCount?: number } | undefined;
  if (typeof context?.functionArn !== 'string') return undefined;
  const fn = context.functionArn.split(':').at(context.functionArn.endsWith(':$LATEST') ? -2 : -1);
  const tries = `${context.approximateInvokeCount ?? '?'} attempt(s), ${context.condition ?? 'failed'}`;
  const batch = record.DDBStreamBatchInfo as
    | { shardId: string; startSequenceNumber: string; endSequenceNumber: string; batchSize: number; streamArn: string }
    | undefined;
  if (batch)
    return `stream batch of ${batch.batchSize} record(s) ${batch.startSequenceNumber}..${batch.endSequenceNumber} of ${batch.shardId} (${batch.streamArn}), function ${fn}: ${tries}; redrive reads them again from the shard`;
  const payload = record.requestPayload as
    { id?: string; 'detail-type'?: string; detail?: { orderId?: string } } | undefined;
  const response = record.responsePayload as { errorType?: string; errorMessage?: string } | undefined;
  const event = payload?.['detail-type']
    ? `event ${payload.id} ${payload['detail-type']}${payload.detail?.orderId ? ` (order ${payload.detail.orderId})` : ''}`
    : 'invocation';
  return `${event}, function ${fn}: ${response?.errorType ?? 'Error'}: ${response?.errorMessage ?? ''} after ${tries}`;
}

export async function dlqListCommand(endpoint: string, out: NodeJS.WritableStream, asJson = false): Promise<number> {
  const { deadLetters, queues = [] } = (await (await callCloud(endpoint, '/_presso/dlq')).json()) as {
    deadLetters: DeadLetter[];
    queues?: QueueView[];
  };
  if (asJson) {
    out.write(JSON.stringify(deadLetters, null, 2) + '\n');
    return 0;
  }
  // The dead-letter queues first: depth, whose, alarms.
  for (const q of queues) {
    const alarms = (q.alarms ?? []).map((a) => `${a.name} ${a.state}`).join(', ');
    out.write(
      `queue ${q.queueName}  depth ${q.depth ?? q.messages.length}${alarms ? `  alarm ${alarms}` : ''}${
        q.consumers?.length ? `  for ${q.consumers.join('; ')}` : ''
      }\n`,
    );
  }
  const listed = new Set(deadLetters.map((l) => l.id));
  // Messages that are not a rule's dead letter (a Lambda DLQ, an OnFailure record, a redriven message).
  const others = queues.flatMap((q) =>
    q.messages.filter((m) => !listed.has(`sqs:${q.queueName}:${m.messageId}`)).map((m) => ({ q, m })),
  );
  if (deadLetters.length === 0 && others.length === 0) out.write('no dead letters\n');
  for (const l of deadLetters) {
    out.write(
      `${l.id}  ${l.time}  rule ${l.busName}/${l.ruleName} -> ${l.targetId}  attempts ${l.attempts}  ${l.errorCode}: ${l.errorMessage}\n`,
    );
    out.write(`    event ${l.event.id} ${l.event['detail-type']}  queue ${l.queueArn}\n`);
  }
  for (const { q, m } of others) {
    const why = Object.entries(m.messageAttributes)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const sent = new Date(Number(m.attributes.SentTimestamp)).toISOString();
    out.write(
      `sqs:${q.queueName}:${m.messageId}  ${sent}  received ${m.attributes.ApproximateReceiveCount}x${why ? `  ${why}` : ''}\n`,
    );
    const failure = describeFailure(m.body);
    out.write(`    ${failure ?? (m.body.length > 200 ? `${m.body.slice(0, 200)}...` : m.body)}\n`);
  }
  return 0;
}

export async function dlqRedriveCommand(endpoint: string, ids: string[], out: NodeJS.WritableStream): Promise<number> {
  const response = await callCloud(endpoint, '/_presso/dlq/redrive', {
    method: 'POST',
    body: JSON.stringify(ids.length ? { ids } : {}),
  });
  const { results } = (await response.json()) as { results: Array<{ id: string; delivered: boolean; error?: string }> };
  for (const r of results)
    out.write(
      `${r.id}  ${r.delivered ? 'delivered' : `not delivered${r.error ? `: ${r.error}` : ' (back in the dead-letter queue)'}`}\n`,
    );
  out.write(`${results.filter((r) => r.delivered).length} of ${results.length} redriven\n`);
  return results.every((r) => r.delivered) ? 0 : 1;
}
