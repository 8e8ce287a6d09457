// Rule 3 on the local cloud: beside a core, the extension deploys and deletes alone, and the core's
// tables and configuration are the same before and after. The fixtures' core is a stand-in with a
// table and a schedule writing it; the repo's own core and extensions are checked the same way.
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { discoverApps } from '@serverlesspresso/catalog/bus';
import { REPO_ROOT } from '@serverlesspresso/catalog/page';
import { formatViolation, IsolationBench, type CheckId, type Violation } from '../src/index.js';

const fixtures = new URL('./fixtures/isolation/', import.meta.url).pathname;
const violation = (id: CheckId, resource: string | RegExp, property: string, message: string) =>
  expect.objectContaining({
    id,
    rule: 3,
    resource: typeof resource === 'string' ? resource : expect.stringMatching(resource),
    property,
    message: expect.stringContaining(message),
  });

describe('rule 3 beside a stand-in core', () => {
  let bench: IsolationBench;
  beforeAll(async () => {
    bench = await IsolationBench.start({ root: fixtures, speed: 1000 });
  }, 120_000);
  afterAll(async () => bench?.close());

  it('passes the extension model: deployed, exercised with the whole recorded session and the events its rule matches, deleted', async () => {
    const report = await bench.check(join(REPO_ROOT, '_extension_model'));
    expect(report.violations.map(formatViolation)).toEqual([]);
    expect(report.notes).toEqual([
      'deployed the core (core/template.yaml), its 1 schedule(s) paused',
      'deployed _extension_model alone on a scratch bus as stack extension-model-check',
      expect.stringMatching(
        /^put \d+ event\(s\) on the scratch bus: the recorded session's \d+ \(\d+ s of session at 1000x\) and 1 of the contract its rules match; handled$/,
      ),
      'it put 0 event(s), each compared with its declarations and the contract',
      'deleted stack extension-model-check',
      'deployed _extension_model beside the core as stack extension-model-check',
      'deleted stack extension-model-check',
    ]);
    expect(report.exercised).toEqual({ events: expect.any(Number), settled: true, put: 0 });
    expect(report.exercised!.events).toBeGreaterThan(300);
  }, 60_000);

  it("rejects an extension whose deploy writes the core's table (a custom resource), though it writes the same item every time", async () => {
    const { violations } = await bench.check(join(fixtures, 'extensions/installer'));
    expect(violations).toEqual([
      violation(
        '3.core-unchanged',
        /^table (serverlesspresso-)?core-OrdersTable-/,
        'deploy',
        "deploying the extension changed the core's table",
      ),
    ]);
    expect((violations[0] as Violation).message).toContain('1 item(s) written, 0 item(s) overwritten or deleted');
    expect((violations[0] as Violation).fix).toContain('at deploy time too (custom resources included)');
  }, 60_000);

  it('rejects an extension still handling the events when the time is up', async () => {
    const { violations, exercised } = await bench.check(join(fixtures, 'extensions/slowpoke'), {
      settleTimeoutMs: 1000,
    });
    expect(violations).toEqual([
      violation(
        '3.deploys-alone',
        '(stack)',
        'handling events',
        'still handling the events 1 s (at 1000x) after they were put, so rule 3 cannot compare the core after them',
      ),
    ]);
    expect((violations[0] as Violation).fix).toContain(
      'end the work each event (or the deploy) starts in bounded time',
    );
    expect(exercised).toEqual({ events: expect.any(Number), settled: false, put: 0 });
  }, 60_000);

  it('rejects an extension that names the bus without a parameter: it cannot be exercised apart from the core', async () => {
    const { violations, exercised } = await bench.check(join(fixtures, 'extensions/busless'));
    expect(violations).toEqual([
      violation(
        '3.deploys-alone',
        '(template)',
        'Parameters',
        'not exercised: the template names the bus without a parameter defaulting to Serverlesspresso',
      ),
    ]);
    expect((violations[0] as Violation).fix).toContain(
      'add a parameter EventBusName (Type: String, Default: Serverlesspresso)',
    );
    expect(exercised).toBeUndefined();
  }, 60_000);

  it("rejects an extension that writes the core's table at run time: IAM denies it the calls (rule 1), so the core is unchanged", async () => {
    const { violations } = await bench.check(join(fixtures, 'extensions/sneaky-writer'));
    expect(violations).toEqual([
      expect.objectContaining({
        id: '1.runtime-permissions',
        rule: 1,
        resource: 'Writer',
        property: 'Policies',
        message: expect.stringMatching(
          /^denied at run time: User: arn:aws:sts::000000000000:assumed-role\/sneaky-writer-check-WriterRole-[A-Z0-9]+\/.+ is not authorized to perform: dynamodb:ListTables on resource: \* because no identity-based policy allows the dynamodb:ListTables action$/,
        ),
        fix: expect.stringContaining('if it is not yours, stop making the call'),
      }),
    ]);
  }, 60_000);

  it('rejects an extension whose policy is too narrow for what it does, naming the statement to add', async () => {
    const { violations } = await bench.check(join(fixtures, 'extensions/narrow'));
    expect(violations).toEqual([
      expect.objectContaining({
        id: '1.runtime-permissions',
        rule: 1,
        resource: 'Noter',
        property: 'Policies',
        message: expect.stringContaining(
          'is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:',
        ),
        fix: expect.stringMatching(
          /^if the call is on your own resource, add the statement \{"Effect":"Allow","Action":"dynamodb:PutItem","Resource":"arn:aws:dynamodb:us-east-1:000000000000:table\/narrow-check-NotesTable-[A-Z0-9]+"\} to its Policies/,
        ),
      }),
    ]);
  }, 60_000);

  it('rejects an extension that leaves a resource behind after its stack is deleted', async () => {
    const { violations } = await bench.check(join(fixtures, 'extensions/litterbug'));
    expect(violations).toEqual([
      violation(
        '3.deploys-alone',
        'rule default/litter',
        'delete',
        'rule default/litter is left behind after the stack is deleted',
      ),
    ]);
  }, 60_000);

  it('sets aside what a waiver names: the litterbug, its litter waived at the template level', async () => {
    const { violations, waived } = await bench.check(join(fixtures, 'extensions/waived-litterbug'));
    expect(violations).toEqual([]);
    expect(waived).toEqual([
      expect.objectContaining({
        id: '3.deploys-alone',
        resource: '(template)',
        reason: 'the fixture of a waiver: its rule outlives the stack on purpose',
        violations: [violation('3.deploys-alone', 'rule default/waived-litter', 'delete', 'is left behind')],
      }),
    ]);
  }, 60_000);

  it('rejects an extension that puts an event it does not declare (which reading its code cannot show)', async () => {
    const { violations } = await bench.check(join(fixtures, 'extensions/loudmouth'));
    expect(violations).toEqual([
      expect.objectContaining({
        id: '2.emits-declared',
        rule: 2,
        resource: '(functions and state machines)',
        property: 'Metadata.Emits',
        message: 'put "OrderManager.MakeOrder" on the bus without declaring it',
        fix: 'add "OrderManager.MakeOrder" to Metadata.Emits of the function that puts it',
      }),
    ]);
  }, 60_000);

  it('compares every event put while the whole session plays: an undeclared and an invalid one, put on every 5th drink only', async () => {
    const { violations, exercised } = await bench.check(join(fixtures, 'extensions/every-fifth'));
    expect(violations).toEqual([
      expect.objectContaining({
        id: '2.emits-valid',
        rule: 2,
        resource: '(functions and state machines)',
        property: 'Metadata.Emits',
        message: expect.stringMatching(
          /^put a "OrderRobot.FulfillOrder" its schema refuses \(\/detail\/action: must be one of "complete", "cancel"\), e\.g\. \{"orderId":/,
        ),
        fix: expect.stringContaining('OrderRobotFulfillOrder from @serverlesspresso/catalog'),
      }),
      expect.objectContaining({
        id: '2.emits-declared',
        message: 'put "OrderManager.MakeOrder" on the bus without declaring it',
      }),
    ]);
    expect(exercised).toEqual({ events: expect.any(Number), settled: true, put: expect.any(Number) });
    expect(exercised!.put).toBeGreaterThanOrEqual(2 * 6);
  }, 60_000);

  it('rejects an extension that does not deploy alone, with the deploy error', async () => {
    const { violations } = await bench.check(join(fixtures, 'extensions/needs-core-output'));
    expect(violations).toEqual([
      violation('3.deploys-alone', '(stack)', 'deploy', 'does not deploy alone with EventBusName=PressoCheck-'),
    ]);
    expect((violations[0] as Violation).message).toContain('CoreTableName');
  }, 60_000);
});

// The model and every extension of the repo: all of them must pass.
const extensionsOfRepo = discoverApps(REPO_ROOT)
  .filter((a) => a.kind === 'model' || a.kind === 'extension')
  .map((a) => relative(REPO_ROOT, a.dir));

describe("rule 3 beside the repo's core", () => {
  let bench: IsolationBench;
  beforeAll(async () => {
    bench = await IsolationBench.start({ root: REPO_ROOT, speed: 1000 });
  }, 120_000);
  afterAll(async () => bench?.close());

  it.each(extensionsOfRepo)(
    '%s deploys and deletes alone and leaves the core as it was',
    async (dir) => {
      const report = await bench.check(join(REPO_ROOT, dir));
      expect(report.violations.map(formatViolation)).toEqual([]);
      // Step 2 played it the whole recorded session, and every event it put was compared.
      expect(report.exercised).toEqual({ events: expect.any(Number), settled: true, put: expect.any(Number) });
      expect(report.exercised!.events).toBeGreaterThan(300);
      expect(report.notes).toContainEqual(
        expect.stringMatching(
          /^put [1-9]\d* event\(s\) on the scratch bus: the recorded session's [1-9]\d* .*; handled/,
        ),
      );
    },
    120_000,
  );
});
