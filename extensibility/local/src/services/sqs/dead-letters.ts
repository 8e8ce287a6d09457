// What `presso dlq` shows of the real dead-letter queues: every message they hold (read without
// receiving it), and those EventBridge put there (RULE_ARN, TARGET_ARN, ERROR_CODE... attributes)
// also as dead letters in the shape of the local store's, so they are listed and redriven alike.
import { parseArn } from '../../arn.js';
import type { DeadLetter } from '../events/dead-letters.js';
import type { EventEnvelope } from '../events/model.js';
import type { Queue } from './queue.js';
import { systemAttributesOf } from './service.js';

/** A dead letter held in a queue is named `sqs:<queue name>:<message id>`. */
export const queueLetterId = (queueName: string, messageId: string) => `sqs:${queueName}:${messageId}`;

export function parseQueueLetterId(id: string): { queueName: string; messageId: string } | undefined {
  const match = /^sqs:([^:]+):(.+)$/.exec(id);
  return match ? { queueName: match[1]!, messageId: match[2]! } : undefined;
}

export interface QueueMessageView {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, string>;
}

export interface DeadLetterQueueView {
  queueArn: string;
  queueName: string;
  messages: QueueMessageView[];
}

export function deadLetterQueueView(queue: Queue): DeadLetterQueueView {
  return {
    queueArn: queue.arn,
    queueName: queue.name,
    messages: queue.peek().map((m) => ({
      messageId: m.messageId,
      body: m.body,
      attributes: systemAttributesOf(m),
      messageAttributes: Object.fromEntries(
        Object.entries(m.messageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? v.BinaryValue ?? '']),
      ),
    })),
  };
}

/** An EventBridge dead letter held in a queue, in the local store's shape; undefined for any other message. */
export function eventBridgeLetter(
  view: DeadLetterQueueView,
  message: QueueMessageView,
  targetIdOf: (ruleArn: string, targetArn: string) => string | undefined,
): DeadLetter | undefined {
  const a = message.messageAttributes;
  if (!a.RULE_ARN || !a.TARGET_ARN) return undefined;
  let event: EventEnvelope;
  try {
    event = JSON.parse(message.body) as EventEnvelope;
  } catch {
    return undefined;
  }
  // rule/<name> on the default bus, rule/<bus>/<name> on another.
  const path = (parseArn(a.RULE_ARN)?.resource ?? '').split('/').slice(1);
  const ruleName = path.at(-1) ?? '';
  return {
    id: queueLetterId(view.queueName, message.messageId),
    queueArn: view.queueArn,
    busName: path.length > 1 ? path[0]! : 'default',
    ruleName,
    ruleArn: a.RULE_ARN,
    targetId: targetIdOf(a.RULE_ARN, a.TARGET_ARN) ?? '',
    targetArn: a.TARGET_ARN,
    event,
    errorCode: a.ERROR_CODE ?? '',
    errorMessage: a.ERROR_MESSAGE ?? '',
    attempts: Number(a.RETRY_ATTEMPTS ?? 0) + 1,
    time: new Date(Number(message.attributes.SentTimestamp)).toISOString(),
  };
}
