// presso dlq: events that targets could not take after their retries; redrive sends them again.
import type { DeadLetter } from '@serverlesspresso/local';
import { callCloud } from '../endpoint.js';

export async function dlqListCommand(endpoint: string, out: NodeJS.WritableStream, asJson = false): Promise<number> {
  const { deadLetters } = (await (await callCloud(endpoint, '/_presso/dlq')).json()) as { deadLetters: DeadLetter[] };
  if (asJson) {
    out.write(JSON.stringify(deadLetters, null, 2) + '\n');
    return 0;
  }
  if (deadLetters.length === 0) out.write('no dead letters\n');
  for (const l of deadLetters) {
    out.write(
      `${l.id}  ${l.time}  rule ${l.busName}/${l.ruleName} -> ${l.targetId}  attempts ${l.attempts}  ${l.errorCode}: ${l.errorMessage}\n`,
    );
    out.write(`    event ${l.event.id} ${l.event['detail-type']}  queue ${l.queueArn}\n`);
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
