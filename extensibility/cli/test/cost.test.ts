// presso cost on a fixed usage file: the bill per service matches the figures worked out by hand
// from the price table (us-east-1), and a run that counted nothing says so instead of printing zeros.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { Usage } from '@serverlesspresso/local';
import { presso } from './presso.js';
import type { Bill } from '../src/cost/bill.js';

const usageFile = new URL('./fixtures/cost/usage.json', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'presso-cost-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// By hand, with the table's prices:
// Lambda: 1,500 requests x $0.20/M = $0.0003; arm64 50 s x 0.5 GB = 25 GB-s x $0.0000133334 = $0.000333335;
//   x86_64 20 s x 0.125 GB = 2.5 GB-s x $0.0000166667 = $0.00004166675 → $0.00067500175
// Step Functions: 4,000 transitions x $0.000025 = $0.1; 100 express requests x $1/M = $0.0001;
//   160 s x 64 MB = 10 GB-s x $0.00001667 = $0.0001667 → $0.1002667
// EventBridge: 2,000 events x $1/M = $0.002
// DynamoDB: 8,000 RRU x $0.125/M = $0.001; 4,800 WRU x $0.625/M = $0.003 → $0.004
// API Gateway: 1,000 HTTP API requests x $1/M = $0.001
// AppSync Events: 2,000 operations x $1/M = $0.002; 100 connection minutes x $0.08/M = $0.000008 → $0.002008
// SQS: 2,500 requests x $0.40/M = $0.001
// Cognito: 10 monthly active users x $0.015 = $0.15
// Total $0.26094970175; 100 orders → $2.6094970175 per 1,000 orders.
const expected: Record<string, number> = {
  Lambda: 0.00067500175,
  'Step Functions': 0.1002667,
  EventBridge: 0.002,
  DynamoDB: 0.004,
  'API Gateway': 0.001,
  'AppSync Events': 0.002008,
  SQS: 0.001,
  Cognito: 0.15,
};

describe('npx presso cost', () => {
  it('prices a usage file per service, for the run and per 1,000 orders, as worked out by hand', async () => {
    const { code, stdout } = await presso(['cost', '--usage', usageFile, '--json']);
    expect(code).toBe(0);
    const bill = JSON.parse(stdout) as Bill;
    expect(bill.orders).toBe(100);
    for (const line of bill.lines) {
      expect(line.cost).toBeCloseTo(expected[line.service]!, 12);
      expect(line.per1000Orders).toBeCloseTo(expected[line.service]! * 10, 11);
    }
    expect(bill.lines.map((l) => l.service)).toEqual(Object.keys(expected));
    // The functions that cost most: 1,000 requests and 25 GB-s arm64, then 500 requests and 2.5 GB-s x86_64.
    expect(bill.lines[0]!.top).toEqual([
      { name: 'core-Validator', cost: expect.closeTo(0.0002 + 0.000333335, 12) },
      { name: 'robot-Customer', cost: expect.closeTo(0.0001 + 0.00004166675, 12) },
    ]);
    expect(bill.total).toBeCloseTo(0.26094970175, 12);
    expect(bill.per1000Orders).toBeCloseTo(2.6094970175, 10);
    expect(bill.dominant).toEqual({ service: 'Cognito', share: expect.closeTo(0.5748, 3) });
    expect(bill).toMatchObject({ region: 'us-east-1', pricesAsOf: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
  });

  it('prints the table with the total, what dominates, the free tiers apart and the price sources', async () => {
    const { code, stdout } = await presso(['cost', '--usage', usageFile, '--orders', '200']);
    expect(code).toBe(0);
    expect(stdout).toContain('orders: 200 (from --orders)');
    expect(stdout).toMatch(/^total\s+\$0\.260950\s+\$1\.3047$/m);
    expect(stdout).toMatch(
      /^DynamoDB\s+\$0\.004000\s+\$0\.0200 {2}8,000 read request units, 4,800 write request units/m,
    );
    expect(stdout).toContain('Cognito dominates: 57% of the total.');
    expect(stdout).toContain('Free tiers (a month, not deducted above):');
    expect(stdout).toContain('https://aws.amazon.com/dynamodb/pricing/on-demand/');
  });

  it("prices the recorded session's usage as the README states it", async () => {
    const recorded = new URL('./fixtures/cost/recorded-session.usage.json', import.meta.url).pathname;
    const bill = JSON.parse((await presso(['cost', '--usage', recorded, '--json'])).stdout) as Bill;
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf("## What a bar's run costs on AWS"));
    expect(bill.orders).toBe(51);
    expect(section).toContain(`| **total** | **$${bill.total.toFixed(3)}** | **$${bill.per1000Orders!.toFixed(2)}** |`);
    expect(section).toContain(`${bill.dominant!.service} dominates (${Math.round(bill.dominant!.share * 100)}%)`);
  });

  it('says so when the run counted no work, instead of printing zeros', async () => {
    const empty: Usage = {
      since: '2026-12-07T15:00:00.000Z',
      uptimeMs: 1000,
      region: 'us-east-1',
      lambda: [{ name: 'idle', memoryMb: 128, architecture: 'arm64', invocations: 0, durationMs: 0, billedMs: 0 }],
      states: {
        standard: { executions: 0, transitions: 0 },
        express: { executions: 0, transitions: 0, durationMs: 0 },
      },
      events: { put: 0, detailTypes: {} },
      dynamodb: { tables: {} },
      apis: { http: 0, rest: 0 },
      appsync: { published: 0, delivered: 0, connectionMs: 0 },
      sqs: { requests: 0 },
      cognito: { activeUsers: 0 },
    };
    const file = join(dir, 'empty.json');
    writeFileSync(file, JSON.stringify(empty));
    const { code, stdout } = await presso(['cost', '--usage', file]);
    expect(code).toBe(1);
    expect(stdout).toContain('No work counted by');
    expect(stdout).toContain('nothing to price');
    expect(stdout).not.toContain('$0.000000');
  });

  it('refuses an order count that is not a positive number', async () => {
    const { code, stderr } = await presso(['cost', '--usage', usageFile, '--orders', '0']);
    expect(code).not.toBe(0);
    expect(stderr).toContain('--orders must be a positive number');
  });
});
