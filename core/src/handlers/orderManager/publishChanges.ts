// The order table's stream → the order manager's events (OrderManager.WaitingCompletion, MakeOrder,
// Order<eventId>-COMPLETED / -CANCELLED), derived from each change's old and new image: what is on
// the bus is what was written, and a crash between the two loses nothing (the batch is redelivered).
// Then the resumes the changes owe (a finished order's last wait): after the events, so the
// processor's OrderProcessor.orderFinished follows the order manager's finishing event.
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { eventsForChange, type AnyBusEvent, type WorkflowResume } from '../../domain/index.js';
import { publish } from '../../adapters/bus.js';
import { itemToOrder, resumeOwed } from '../../adapters/orderStore.js';
import { itemChange } from '../../adapters/streams.js';
import { resumeWorkflow } from '../../adapters/workflow.js';

export const handler = middy<DynamoDBStreamEvent, void>().handler(async (event) => {
  const changes: AnyBusEvent[] = [];
  const resumes: WorkflowResume[] = [];
  for (const record of event.Records) {
    const { before, after } = itemChange(record);
    if (!after) continue;
    const order = itemToOrder(after);
    const previous = before && itemToOrder(before);
    changes.push(...eventsForChange(previous, order));
    const resume = previous?.version === order.version ? undefined : resumeOwed(after);
    if (resume) resumes.push(resume);
  }
  await publish(changes);
  // Each resume ends a different workflow: none waits for another.
  await Promise.all(resumes.map((resume) => resumeWorkflow(resume)));
});
