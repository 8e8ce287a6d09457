// The robots' actions, part of the contract since the original OrderRobot: ProducerRobot.FulfillOrder
// orders a simulated customer's drink (checked against the menu like any customer's; it may overtake
// its workflow's start, and is then kept until the start arrives), OrderRobot.FulfillOrder completes
// or cancels as a simulated barista: it answers the drink 10 to 30 s later without waiting for the
// queue, so a completion that arrives before the order is queued is kept until it is. Both act on the
// robot's own orders only (user robot, as the original OrderRobot orders): the domain refuses a
// robot action on any other order (NOT_A_ROBOT_ORDER), and a robot's drink names user robot.
import { nonEmptyString, ROBOT_USER_ID, validateDrinkOrder } from '../../domain/index.js';
import { loadConfig } from '../../adapters/configStore.js';
import { busConsumer, type Delivered, type Detail, type Step } from './busConsumer.js';

async function stepOf({ detailType, detail: d, orderId, at }: Delivered): Promise<Step | string> {
  switch (detailType) {
    case 'ProducerRobot.FulfillOrder': {
      const eventId = nonEmptyString(d.eventId);
      const body = d.body as Detail | undefined;
      const userId = nonEmptyString(body?.userId);
      if (!eventId || !userId) return 'detail.eventId and body.userId are required';
      if (userId !== ROBOT_USER_ID)
        return `a robot's drink is for user ${ROBOT_USER_ID}'s orders only, not ${JSON.stringify(userId)}'s`;
      const config = await loadConfig(eventId);
      const drink = validateDrinkOrder(config?.menu ?? [], body);
      if (!drink.ok) return `the drink is refused: ${drink.error.message}`;
      return {
        orderId,
        action: { type: 'submitDrink', drinkOrder: drink.value, robot: true, early: { orderId, eventId }, at },
        actor: { role: 'customer', userId },
      };
    }
    case 'OrderRobot.FulfillOrder': {
      const baristaUserId = nonEmptyString(d.baristaUserId);
      if (!baristaUserId || (d.action !== 'complete' && d.action !== 'cancel'))
        return 'detail.baristaUserId and an action of complete or cancel are required';
      // early: the robot answers its customer's drink without waiting for the queue (see the domain's holdCompletion).
      return {
        orderId,
        action: { type: d.action, at, early: true, robot: true },
        actor: { role: 'barista', userId: baristaUserId },
      };
    }
    default:
      return `the order manager's robot consumer does not take ${detailType}`;
  }
}

export const handler = busConsumer(stepOf);
