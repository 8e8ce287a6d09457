// The seed: a CloudFormation custom resource that gives the event named by the template (default NYC)
// its default config and menu, store open and robot orders allowed (the demo event: the OrderRobot
// extension drives orders there), when it has none. It never overwrites a config that exists
// (an operator's changes survive every update of the stack), and deleting the stack leaves the data
// to the table's own deletion.
import middy from '@middy/core';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { defaultConfig, eventIdProblem } from '../../domain/index.js';
import { saveConfig } from '../../adapters/configStore.js';
import { sendCustomResourceResponse, type CustomResourceOutcome } from '../../adapters/customResource.js';

async function seed(event: CloudFormationCustomResourceEvent): Promise<CustomResourceOutcome> {
  const eventId = event.ResourceProperties.EventId as unknown;
  const physicalResourceId = `seed-config-${String(eventId)}`;
  if (event.RequestType === 'Delete') return { status: 'SUCCESS', physicalResourceId: event.PhysicalResourceId };
  const problem = eventIdProblem(eventId);
  if (problem)
    return {
      status: 'FAILED',
      physicalResourceId,
      reason: `Property EventId ${problem}; set the template parameter to an event id such as NYC.`,
    };
  const created = await saveConfig(
    { ...defaultConfig(eventId as string), storeOpen: true, robotsAllowed: true },
    undefined,
  );
  return { status: 'SUCCESS', physicalResourceId, data: { EventId: eventId as string, Created: String(created) } };
}

export const handler = middy<CloudFormationCustomResourceEvent, void>().handler(async (event) => {
  let outcome: CustomResourceOutcome;
  try {
    outcome = await seed(event);
  } catch (e) {
    // Always answer: an unanswered request keeps the stack waiting for an hour.
    console.error(e);
    outcome = {
      status: 'FAILED',
      physicalResourceId:
        event.RequestType === 'Create' ? `seed-config-failed-${event.RequestId}` : event.PhysicalResourceId,
      reason: `Seeding the config failed: ${(e as Error).message}`,
    };
  }
  await sendCustomResourceResponse(event, outcome);
});
