// presso dlq: events that targets could not take after their retries, and what the real
// dead-letter queues hold (SQS queues a redrive policy, a rule's DeadLetterConfig, a function's
// DeadLetterQueue or an OnFailure destination names); redrive sends rules' dead letters again.
import type { DeadLetter } from '@serverlesspresso/local';
import { callCloud } from '../endpoint.js';

interface QueueView {
  queueArn: string;
  queueName: string;
  messages: Array<{
    messageId: string;
    body: string;
    attributes: Record<string, string>;
    messageAttributes: Record<string, string>;
  }>;
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
      `${m.messageId}  ${sent}  queue ${q.queueName}  received ${m.attributes.ApproximateReceiveCount}x${why ? `  ${why}` : ''}\n`,
    );
    out.write(`    ${m.body.length > 200 ? `${m.body.slice(0, 200)}...` : m.body}\n`);
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
