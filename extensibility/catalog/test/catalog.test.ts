// The events catalog: generated from the contract and every app's template; committed, and current.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { contract } from '../src/index.js';
import { codeNames, formatFinding, scanRepo } from '../src/bus/index.js';
import { catalogPaths, CATALOG_FILES, generateCatalog, REPO_ROOT, withExtensionsTable } from '../src/page/index.js';
import { readExtensionMeta, validateExtensionMeta } from '../src/extension.js';

const fixtureRoot = new URL('./fixtures/repo/', import.meta.url).pathname;

describe('the committed catalog', () => {
  const generated = generateCatalog(REPO_ROOT);

  it('is current: CATALOG.md and catalog.html are what `npx presso catalog` generates now', () => {
    const paths = catalogPaths(REPO_ROOT);
    expect(readFileSync(paths.markdown, 'utf8')).toBe(generated.markdown);
    expect(readFileSync(paths.html, 'utf8')).toBe(generated.html);
  });

  const isRule = (f: { property: string }) => /Pattern$/.test(f.property);

  it('finds no dead or invalid rule in any app of the repo', () => {
    expect(generated.scan.findings.filter(isRule).map(formatFinding)).toEqual([]);
  });

  it('finds every producer putting detail-types of the contract, and every Metadata.Emits borne out by policies and code', () => {
    expect(generated.scan.findings.filter((f) => !isRule(f)).map(formatFinding)).toEqual([]);
  });

  it('reads the extension model, whose rule consumes the completed-order family', () => {
    const completed = generated.page.events.find((e) => e.entry.name === 'OrderManager.Order-COMPLETED')!;
    expect(completed.consumers).toContainEqual(
      expect.objectContaining({
        app: '_extension_model',
        rule: 'RecordCompletedOrderFunctionOrderCompleted',
        targets: ['RecordCompletedOrderFunction'],
      }),
    );
  });
});

describe("the extensions' metadata (extension.json)", () => {
  const generated = generateCatalog(REPO_ROOT);

  it('is read for the model and every extension, and rendered in CATALOG.md and catalog.html', () => {
    const model = generated.page.extensions.find((e) => e.name === '_extension_model')!;
    expect(model.meta).toEqual(readExtensionMeta(`${REPO_ROOT}_extension_model`).meta);
    expect(model.meta).toMatchObject({ name: 'ExtensionModel', events: { produced: [] } });
    expect(generated.page.extensions.map((e) => [e.name, e.meta?.name])).toEqual(
      expect.arrayContaining([
        ['OrderRobot', 'OrderRobot'],
        ['WaitTimes', 'WaitTimes'],
      ]),
    );
    expect(generated.markdown).toContain(
      '| [WaitTimes](../../extensions/WaitTimes/README.md) | Keeps, per event (pop-up bar) and drink,',
    );
    expect(generated.markdown).toContain(
      '| `OrderManager.Order{eventId}-COMPLETED`, `OrderManager.WaitingCompletion` | `WaitTimes.WaitTimeChanged` | CloudWatch Logs, DynamoDB, EventBridge, Lambda |',
    );
    expect(generated.html).toContain('<td>WaitTimes (<code>extensions/WaitTimes</code>)</td>');
  });

  it("renders extensions/README.md's table, which is current", () => {
    const readme = readFileSync(`${REPO_ROOT}${CATALOG_FILES.extensions}`, 'utf8');
    expect(withExtensionsTable(readme, generated.page)).toBe(readme);
    expect(readme).toContain('| [LoyaltyCard](LoyaltyCard/README.md) |');
    expect(readme).not.toContain('ExtensionModel');
    const stale = readme.replace('| [LoyaltyCard](LoyaltyCard/README.md) |', '| [LoyaltyCard](gone.md) |');
    expect(withExtensionsTable(stale, generated.page)).toBe(readme);
    expect(withExtensionsTable('# no table here\n', generated.page)).toBeUndefined();
  });

  it('is validated by extension.schema.json, each error saying where', () => {
    expect(
      validateExtensionMeta({ name: 'tip jar', author: '', events: { consumed: [] }, services: [] }).errors,
    ).toEqual([
      { path: '/description', message: 'is required but missing' },
      { path: '/name', message: 'must match pattern "^[A-Z][A-Za-z0-9]{0,39}$"' },
      { path: '/author', message: 'must NOT have fewer than 1 characters' },
      { path: '/events/produced', message: 'is required but missing' },
      { path: '/services', message: 'must NOT have fewer than 1 items' },
    ]);
  });
});

describe('the catalog of a repo', () => {
  const { scan, page, markdown, html } = generateCatalog(fixtureRoot);
  const event = (detailType: string) => page.events.find((e) => e.entry.detailType === detailType)!;

  it('reads every app that has a template: core, player, extensions', () => {
    expect(page.apps.map((a) => [a.name, a.kind, a.path])).toEqual([
      ['core', 'core', 'core/template.yaml'],
      ['EventPlayer', 'player', 'extensibility/EventPlayer/template.yaml'],
      ['Sample', 'extension', 'extensions/Sample/template.yaml'],
    ]);
    expect(scan.findings).toEqual([]);
  });

  it("names state machines' putEvents tasks as producers: literal, States.Format, JSONata, nested in a Parallel; other buses left out", () => {
    expect(event('OrderProcessor.WorkflowStarted').producers).toEqual([
      { app: 'core', path: 'core/template.yaml', resource: 'OrderProcessor', kind: 'state machine', state: 'Started' },
    ]);
    expect(event('OrderManager.Order{eventId}-CANCELLED').producers).toEqual([
      expect.objectContaining({ state: 'Finished', writes: 'OrderManager.Order*-CANCELLED' }),
    ]);
    expect(event('OrderProcessor.OrderTimeOut').producers).toEqual([expect.objectContaining({ state: 'TimedOut' })]);
    expect(JSON.stringify(page)).not.toContain('Not.OnOurBus');
  });

  it('names functions by their Metadata.Emits, and replayers apart', () => {
    expect(event('OrderManager.MakeOrder').producers).toEqual([
      { app: 'core', path: 'core/template.yaml', resource: 'OrderManagerFunction', kind: 'function' },
    ]);
    expect(event('OrderManager.Order{eventId}-COMPLETED').producers).toEqual([
      expect.objectContaining({ resource: 'OrderManagerFunction' }),
    ]);
    expect(page.replays).toEqual([
      { app: 'EventPlayer', path: 'extensibility/EventPlayer/template.yaml', resource: 'Player', state: 'Replay' },
    ]);
  });

  it('names every rule on the bus whose pattern matches as a consumer, with its targets; rules on other buses left out', () => {
    expect(event('Validator.NewOrder').consumers).toEqual([
      expect.objectContaining({ app: 'core', rule: 'OrderProcessorNewOrder', targets: ['OrderProcessor'] }),
    ]);
    for (const robot of ['OrderRobot.FulfillOrder', 'ProducerRobot.FulfillOrder']) {
      expect(event(robot).consumers).toEqual([
        expect.objectContaining({ app: 'core', rule: 'Robots', targets: ['OrderManagerFunction'] }),
      ]);
    }
    expect(event('OrderManager.Order{eventId}-COMPLETED').consumers).toEqual([
      expect.objectContaining({
        app: 'Sample',
        rule: 'ListenerBcnDone',
        matched: 'OrderManager.OrderBCN-COMPLETED',
        disabled: true,
      }),
    ]);
    expect(scan.rules.map((r) => r.rule.logicalId).sort()).toEqual([
      'ListenerBcnDone',
      'ListenerClaimed',
      'OrderProcessorNewOrder',
      'Robots',
    ]);
  });

  it('renders Markdown with a table linking every event to its section, producers, consumers, example and schema', () => {
    expect(markdown).toContain(
      '| [`OrderManager.MakeOrder`](#ordermanagermakeorder) | core: OrderManagerFunction | Sample: ListenerClaimed |',
    );
    expect(markdown).toContain(
      '- **core**: state machine `OrderProcessor`, state `Finished` (puts `OrderManager.Order*-CANCELLED`) in `core/template.yaml`',
    );
    expect(markdown).toContain(
      '- **Sample**: rule `ListenerBcnDone` → `Listener` in `extensions/Sample/template.yaml` (disabled)',
    );
    expect(markdown).toContain(
      '- **EventPlayer**: state machine `Player`, state `Replay` in `extensibility/EventPlayer/template.yaml`',
    );
    for (const entry of contract) {
      expect(markdown).toContain(`### \`${entry.detailType}\``);
      expect(markdown).toContain(`\`extensibility/catalog/schemas/${entry.name}.json\``);
    }
  });

  it('renders a static HTML page: every event with an anchor, values escaped, no scripts', () => {
    for (const e of page.events) {
      expect(html).toContain(`<section id="${e.anchor}">`);
      expect(html).toContain(`<a href="#${e.anchor}">`);
    }
    expect(html).toContain('&quot;detail-type&quot;');
    expect(html).not.toMatch(/<script|<link|src=/i);
  });

  it('is the same on every run (nothing depends on time or order of reading)', () => {
    expect(generateCatalog(fixtureRoot).markdown).toBe(markdown);
    expect(scanRepo(fixtureRoot).producers.length).toBe(scan.producers.length);
  });
});

describe('codeNames (Emits against the code)', () => {
  it('finds a detail-type as a string, and a family by its prefix and the word of its suffix', () => {
    expect(codeNames('put({DetailType:"OrderManager.MakeOrder"})', 'OrderManager.MakeOrder')).toBe(true);
    expect(codeNames('"OrderManager.MakeOrders"', 'OrderManager.MakeOrder')).toBe(false);
    expect(codeNames('`OrderManager.Order${id}-${s}`; f("COMPLETED")', 'OrderManager.Order{eventId}-COMPLETED')).toBe(
      true,
    );
    expect(codeNames('`OrderManager.Order${id}-${s}`', 'OrderManager.Order{eventId}-CANCELLED')).toBe(false);
  });
});
