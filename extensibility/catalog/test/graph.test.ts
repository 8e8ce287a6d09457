// The catalog's graph: producer apps -> events -> consuming rules, laid out by dagre left to right,
// and the static SVG catalog.html carries (each event linking to its section, every text escaped).
import { describe, expect, it } from '@jest/globals';
import { contract } from '../src/contract.js';
import { catalogGraph, catalogGraphSvg, layoutCatalogGraph } from '../src/page/graph.js';
import type { CatalogPage, PageEvent } from '../src/page/model.js';

const entry = (detailType: string) => contract.find((e) => e.detailType === detailType)!;
const event = (detailType: string, producers: string[], consumers: Array<[string, string]>): PageEvent => ({
  entry: entry(detailType),
  anchor: detailType.toLowerCase().replace(/[^a-z0-9]/g, ''),
  producers: producers.map((app) => ({ app, path: `${app}/template.yaml`, resource: 'Fn', kind: 'function' })),
  consumers: consumers.map(([app, rule]) => ({
    app,
    path: `${app}/template.yaml`,
    rule,
    targets: ['Fn'],
    pattern: '{}',
    matched: detailType,
    disabled: false,
  })),
});

const page = {
  bus: 'Serverlesspresso',
  source: 'awsserverlessda.serverlesspresso',
  apps: [],
  extensions: [],
  replays: [],
  channels: [],
  events: [
    event(
      'OrderManager.WaitingCompletion',
      ['core'],
      [
        ['OrderMetrics', 'OrderEvents'],
        ['WaitTimes', 'Orders<&>'],
      ],
    ),
    event('Validator.NewOrder', ['core', 'OrderRobot'], []),
    event('ConfigService.ConfigChanged', [], []),
  ],
} as unknown as CatalogPage;

describe('the catalog graph', () => {
  it('joins producers to their events and events to the rules that consume them', () => {
    const graph = catalogGraph(page);
    expect(graph.nodes.map((n) => n.id).sort()).toEqual(
      [
        'app:OrderRobot',
        'app:core',
        'event:OrderManager.WaitingCompletion',
        'event:Validator.NewOrder',
        'rule:OrderMetrics:OrderEvents',
        'rule:WaitTimes:Orders<&>',
      ].sort(),
    );
    expect(graph.edges).toContainEqual({ from: 'app:core', to: 'event:OrderManager.WaitingCompletion' });
    expect(graph.edges).toContainEqual({
      from: 'event:OrderManager.WaitingCompletion',
      to: 'rule:OrderMetrics:OrderEvents',
    });
    // core produces two events: one node, two edges.
    expect(graph.edges.filter((e) => e.from === 'app:core')).toHaveLength(2);
  });

  it('lays it out left to right: apps, then events, then rules', () => {
    const layout = layoutCatalogGraph(catalogGraph(page));
    const x = (id: string) => layout.nodes.find((n) => n.id === id)!.x;
    expect(x('app:core')).toBeLessThan(x('event:OrderManager.WaitingCompletion'));
    expect(x('event:OrderManager.WaitingCompletion')).toBeLessThan(x('rule:OrderMetrics:OrderEvents'));
  });

  it('writes a static SVG whose events link to their sections, every label escaped', () => {
    const svg = catalogGraphSvg(page);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('<a href="#ordermanagerwaitingcompletion">');
    expect(svg).toContain('WaitTimes: Orders&lt;&amp;&gt;');
    expect(svg).not.toContain('<script');
    expect(svg).toContain('aria-label="2 apps, the 2 events they produce and the 2 rules that consume them"');
  });
});
