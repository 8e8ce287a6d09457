// presso up connects an app to the outputs of the apps deployed before it that it declares as
// parameters (WIRED_OUTPUTS): WaitTimes gets the core's RealtimeApiId and publishes to the board.
import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { wiredParameters } from '../src/apps.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const coreOutputs = { RealtimeApiId: 'abcdefghijklmnopqrstuvwxyz', EventBusName: 'Serverlesspresso' };

describe('wiredParameters', () => {
  it("gives an app the core's realtime API when it declares the parameter, and nothing else", () => {
    expect(wiredParameters(`${root}extensions/WaitTimes`, coreOutputs)).toEqual({
      RealtimeApiId: 'abcdefghijklmnopqrstuvwxyz',
    });
    expect(wiredParameters(`${root}extensions/OrderRobot`, coreOutputs)).toEqual({});
  });

  it('gives nothing before the core is deployed', () => {
    expect(wiredParameters(`${root}extensions/WaitTimes`, {})).toEqual({});
  });
});
