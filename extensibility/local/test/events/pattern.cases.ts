// The data table of the event pattern engine tests. "doc:" cases are the examples of the EventBridge
// user guide (Creating event patterns, Content filtering / Comparison operators, Arrays, Null values
// and empty strings) and of the event-ruler README the guide is written from; the rest pin down the
// edges of each operator. Reasons are the text after "Event pattern is not valid. Reason: ".

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface MatchCase {
  readonly name: string;
  /** The pattern as an object, or as raw JSON text (for what an object cannot express). */
  readonly pattern: Json;
  readonly raw?: boolean;
  readonly event: Json;
  readonly matches: boolean;
}

export interface InvalidCase {
  readonly name: string;
  readonly pattern: Json;
  readonly raw?: boolean;
  readonly reason: string;
}

/** The EC2 event of "Creating event patterns". */
export const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
} satisfies Json;

/** The sample event of the content-filtering examples (event-ruler README). */
export const rulerEvent = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
} satisfies Json;

/** The event of "Matching events on null values and empty strings". */
export const nullEvent = {
  version: '0',
  id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2015-11-11T21:31:47Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
} satisfies Json;

/** An envelope of the coffee bar bus with the given detail. */
export function order(detail: { [key: string]: Json }, detailType = 'Validator.NewOrder'): Json {
  return {
    version: '0',
    id: '00000000-0000-0000-0000-000000000001',
    'detail-type': detailType,
    source: 'awsserverlessda.serverlesspresso',
    account: '123456789012',
    time: '2026-11-21T12:52:21Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

const d = (detail: { [key: string]: Json }): Json => order(detail);

export const matchCases: readonly MatchCase[] = [
  // ---- Creating event patterns / matching values ----
  {
    name: 'doc: EC2 instance-termination pattern matches the EC2 event',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'doc: EC2 instance-termination pattern does not match a running instance',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    },
    event: { ...ec2Event, detail: { ...ec2Event.detail, state: 'running' } },
    matches: false,
  },
  {
    name: 'doc: several values are an OR (aws.ec2 or aws.fargate)',
    pattern: { source: ['aws.ec2', 'aws.fargate'] },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'several values: none equal',
    pattern: { source: ['aws.s3', 'aws.fargate'] },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'a field the event lacks does not match',
    pattern: { detail: { nonesuch: ['x'] } },
    event: ec2Event,
    matches: false,
  },
  { name: 'matching is case-sensitive', pattern: { source: ['AWS.EC2'] }, event: ec2Event, matches: false },
  {
    name: 'all fields must match (AND)',
    pattern: { source: ['aws.ec2'], region: ['eu-west-1'] },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'fields outside the pattern are ignored',
    pattern: { region: ['us-west-1'] },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'the nesting must be the same: detail.state is not state',
    pattern: { state: ['terminated'] },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'numbers compare as numbers: 5 matches 5.0',
    pattern: { detail: { n: [5] } },
    event: d({ n: 5.0 }),
    matches: true,
  },
  {
    name: 'numbers compare as numbers: 3.018e2 matches 301.8',
    pattern: { detail: { n: [3.018e2] } },
    event: d({ n: 301.8 }),
    matches: true,
  },
  { name: 'a number never matches a string', pattern: { detail: { n: [5] } }, event: d({ n: '5' }), matches: false },
  { name: 'a string never matches a number', pattern: { detail: { n: ['5'] } }, event: d({ n: 5 }), matches: false },
  { name: 'true matches true', pattern: { detail: { open: [true] } }, event: d({ open: true }), matches: true },
  {
    name: 'true does not match "true"',
    pattern: { detail: { open: [true] } },
    event: d({ open: 'true' }),
    matches: false,
  },
  {
    name: 'false does not match null',
    pattern: { detail: { open: [false] } },
    event: d({ open: null }),
    matches: false,
  },
  {
    name: 'an IP literal matches its other spellings ("::1")',
    pattern: { detail: { ip: ['::1'] } },
    event: d({ ip: '0:0:0:0:0:0:0:1' }),
    matches: true,
  },
  { name: 'a value never matches an object', pattern: { detail: ['x'] }, event: d({ a: 'x' }), matches: false },

  // ---- Null values and empty strings ----
  {
    name: 'doc: [""] matches an empty string',
    pattern: { detail: { eventVersion: [''] } },
    event: nullEvent,
    matches: true,
  },
  {
    name: 'doc: [null] matches null',
    pattern: { detail: { responseElements: [null] } },
    event: nullEvent,
    matches: true,
  },
  {
    name: 'doc: [""] does not match null',
    pattern: { detail: { responseElements: [''] } },
    event: nullEvent,
    matches: false,
  },
  {
    name: '[null] does not match an empty string',
    pattern: { detail: { eventVersion: [null] } },
    event: nullEvent,
    matches: false,
  },
  {
    name: '[null] does not match a missing field',
    pattern: { detail: { nonesuch: [null] } },
    event: nullEvent,
    matches: false,
  },
  {
    name: '[null] does not match the string "null"',
    pattern: { detail: { v: [null] } },
    event: d({ v: 'null' }),
    matches: false,
  },

  // ---- Arrays ----
  {
    name: 'doc: arrays match when the pattern and event arrays intersect',
    pattern: {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    },
    event: {
      ...ec2Event,
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    },
    matches: true,
  },
  {
    name: 'arrays with no common value do not match',
    pattern: { resources: ['arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'an operator applies to each element of an event array',
    pattern: { detail: { tags: [{ prefix: 'ice' }] } },
    event: d({ tags: ['hot', 'iced'] }),
    matches: true,
  },
  {
    name: 'nested arrays are flattened',
    pattern: { detail: { tags: ['b'] } },
    event: d({ tags: [['a'], [['b']]] }),
    matches: true,
  },
  {
    name: 'doc: pattern fields apply into objects inside event arrays',
    pattern: { detail: { employees: { firstName: ['Anna'] } } },
    event: d({
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
      ],
    }),
    matches: true,
  },
  {
    name: 'doc: two fields must come from the same array element (Anna Smith)',
    pattern: { detail: { employees: { firstName: ['Anna'], lastName: ['Smith'] } } },
    event: d({
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    }),
    matches: true,
  },
  {
    name: 'doc: fields from different array elements do not combine (Anna Jones)',
    pattern: { detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } },
    event: d({
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    }),
    matches: false,
  },
  {
    name: 'array consistency holds across nested arrays',
    pattern: { detail: { o: { items: { drink: ['Latte'], size: ['L'] } } } },
    event: d({ o: [{ items: [{ drink: 'Latte', size: 'S' }] }, { items: [{ drink: 'Mocha', size: 'L' }] }] }),
    matches: false,
  },
  {
    name: 'a field outside the array combines with any element',
    pattern: { detail: { eventId: ['NYC'], items: { drink: ['Mocha'] } } },
    event: d({ eventId: 'NYC', items: [{ drink: 'Latte' }, { drink: 'Mocha' }] }),
    matches: true,
  },
  {
    name: 'exists:false looks at the array element the other fields use',
    pattern: { detail: { items: { drink: ['Latte'], milk: [{ exists: false }] } } },
    event: d({ items: [{ drink: 'Latte' }, { drink: 'Mocha', milk: 'Oat' }] }),
    matches: true,
  },
  {
    name: 'exists:false fails when that element has the field',
    pattern: { detail: { items: { drink: ['Latte'], milk: [{ exists: false }] } } },
    event: d({ items: [{ drink: 'Latte', milk: 'Oat' }] }),
    matches: false,
  },
  {
    name: 'an empty event array has no value',
    pattern: { resources: [{ exists: true }] },
    event: nullEvent,
    matches: false,
  },
  {
    name: 'exists:false matches an empty event array',
    pattern: { resources: [{ exists: false }] },
    event: nullEvent,
    matches: true,
  },

  // ---- Dots in names ----
  {
    name: 'a dotted pattern key reaches a nested field',
    pattern: { detail: { 'drinkOrder.drink': ['Latte'] } },
    event: d({ drinkOrder: { drink: 'Latte' } }),
    matches: true,
  },
  {
    name: 'a nested pattern reaches a dotted event key',
    pattern: { detail: { drinkOrder: { drink: ['Latte'] } } },
    event: d({ 'drinkOrder.drink': 'Latte' }),
    matches: true,
  },

  // ---- prefix / suffix ----
  {
    name: 'doc: prefix matches "time" starting with 2017-10-02',
    pattern: { time: [{ prefix: '2017-10-02' }] },
    event: rulerEvent,
    matches: true,
  },
  {
    name: 'prefix: another day does not match',
    pattern: { time: [{ prefix: '2017-10-03' }] },
    event: rulerEvent,
    matches: false,
  },
  {
    name: 'doc: prefix "us-" (Region is in the US)',
    pattern: { region: [{ prefix: 'us-' }] },
    event: rulerEvent,
    matches: true,
  },
  {
    name: 'prefix only works on strings',
    pattern: { detail: { 'c-count': [{ prefix: '5' }] } },
    event: rulerEvent,
    matches: false,
  },
  {
    name: 'an empty prefix matches every string',
    pattern: { detail: { state: [{ prefix: '' }] } },
    event: rulerEvent,
    matches: true,
  },
  {
    name: 'an empty prefix matches the empty string',
    pattern: { detail: { eventVersion: [{ prefix: '' }] } },
    event: nullEvent,
    matches: true,
  },
  {
    name: 'an empty prefix does not match null',
    pattern: { detail: { responseElements: [{ prefix: '' }] } },
    event: nullEvent,
    matches: false,
  },
  {
    name: 'an empty prefix does not match a number',
    pattern: { detail: { 'c-count': [{ prefix: '' }] } },
    event: rulerEvent,
    matches: false,
  },
  {
    name: 'doc: prefix with equals-ignore-case ("EventB")',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: d({ service: 'eventbridge' }),
    matches: true,
  },
  {
    name: 'prefix with equals-ignore-case: EVENTBRIDGE',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] } },
    event: d({ service: 'EVENTBRIDGE' }),
    matches: true,
  },
  {
    name: 'prefix with equals-ignore-case: other start',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] } },
    event: d({ service: 'Bridge' }),
    matches: false,
  },
  {
    name: 'doc: suffix ".png"',
    pattern: { FileName: [{ suffix: '.png' }] },
    event: { FileName: 'image.png' },
    matches: true,
  },
  {
    name: 'suffix is case-sensitive',
    pattern: { FileName: [{ suffix: '.png' }] },
    event: { FileName: 'image.PNG' },
    matches: false,
  },
  {
    name: 'doc: suffix with equals-ignore-case matches ".PNG"',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: d({ FileName: 'image.PNG' }),
    matches: true,
  },
  {
    name: 'suffix with equals-ignore-case: other end',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: d({ FileName: 'image.jpg' }),
    matches: false,
  },
  {
    name: 'an empty suffix matches every string',
    pattern: { detail: { state: [{ suffix: '' }] } },
    event: rulerEvent,
    matches: true,
  },

  // ---- equals-ignore-case ----
  {
    name: 'doc: equals-ignore-case on detail-type',
    pattern: { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'doc: equals-ignore-case "alice" matches "Alice"',
    pattern: { Name: [{ 'equals-ignore-case': 'alice' }] },
    event: { Name: 'Alice' },
    matches: true,
  },
  {
    name: 'equals-ignore-case is an equality, not a prefix',
    pattern: { Name: [{ 'equals-ignore-case': 'alice' }] },
    event: { Name: 'Alicia' },
    matches: false,
  },
  {
    name: 'equals-ignore-case only works on strings',
    pattern: { detail: { n: [{ 'equals-ignore-case': '5' }] } },
    event: d({ n: 5 }),
    matches: false,
  },
  {
    name: 'equals-ignore-case: each character stands for its two cases (ß -> SS)',
    pattern: { v: [{ 'equals-ignore-case': 'straße' }] },
    event: { v: 'STRASSE' },
    matches: true,
  },
  {
    name: 'equals-ignore-case: the value is not case-folded (ß does not stand for ss)',
    pattern: { v: [{ 'equals-ignore-case': 'straße' }] },
    event: { v: 'strasse' },
    matches: false,
  },
  {
    name: 'equals-ignore-case: non-ASCII letters',
    pattern: { v: [{ 'equals-ignore-case': 'CAFÉ' }] },
    event: { v: 'café' },
    matches: true,
  },
  {
    name: 'equals-ignore-case: the Kelvin sign is not a k',
    pattern: { v: [{ 'equals-ignore-case': 'k' }] },
    event: { v: '\u212a' },
    matches: false,
  },

  // ---- anything-but ----
  {
    name: 'doc: anything-but "initializing" matches "running"',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: rulerEvent,
    matches: true,
  },
  {
    name: 'doc: anything-but "initializing" does not match "initializing"',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: d({ state: 'initializing' }),
    matches: false,
  },
  {
    name: 'doc: anything-but 123 matches 301.8',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: rulerEvent,
    matches: true,
  },
  {
    name: 'anything-but 123 does not match 123.0',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: d({ 'x-limit': 123.0 }),
    matches: false,
  },
  {
    name: 'doc: anything-but a list of strings',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: rulerEvent,
    matches: true,
  },
  {
    name: 'anything-but a list of strings excludes each',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: d({ state: 'overloaded' }),
    matches: false,
  },
  {
    name: 'doc: anything-but a list of numbers',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: rulerEvent,
    matches: true,
  },
  {
    name: 'anything-but a list of numbers excludes each',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: d({ 'x-limit': 200 }),
    matches: false,
  },
  {
    name: 'anything-but a string does not exclude a number',
    pattern: { detail: { n: [{ 'anything-but': '5' }] } },
    event: d({ n: 5 }),
    matches: true,
  },
  {
    name: 'anything-but a number does not exclude a string',
    pattern: { detail: { n: [{ 'anything-but': 5 }] } },
    event: d({ n: '5' }),
    matches: true,
  },
  {
    name: 'anything-but does not match a missing field',
    pattern: { detail: { nonesuch: [{ 'anything-but': 'x' }] } },
    event: rulerEvent,
    matches: false,
  },
  {
    name: 'anything-but matches a null field',
    pattern: { detail: { responseElements: [{ 'anything-but': 'x' }] } },
    event: nullEvent,
    matches: true,
  },
  {
    name: 'anything-but matches a boolean',
    pattern: { detail: { open: [{ 'anything-but': 'x' }] } },
    event: d({ open: false }),
    matches: true,
  },
  {
    name: 'anything-but matches an array with another value',
    pattern: { detail: { tags: [{ 'anything-but': 'hot' }] } },
    event: d({ tags: ['hot', 'iced'] }),
    matches: true,
  },
  {
    name: 'anything-but does not match an array of only excluded values',
    pattern: { detail: { tags: [{ 'anything-but': 'hot' }] } },
    event: d({ tags: ['hot', 'hot'] }),
    matches: false,
  },
  {
    name: 'anything-but does not match an empty array',
    pattern: { detail: { tags: [{ 'anything-but': 'hot' }] } },
    event: d({ tags: [] }),
    matches: false,
  },
  {
    name: 'doc: anything-but prefix "init"',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: rulerEvent,
    matches: true,
  },
  {
    name: 'anything-but prefix "init" excludes "initializing"',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: d({ state: 'initializing' }),
    matches: false,
  },
  {
    name: 'doc: anything-but prefix "us-" (Region is not in the US)',
    pattern: { Region: [{ 'anything-but': { prefix: 'us-' } }] },
    event: { Region: 'eu-west-1' },
    matches: true,
  },
  {
    name: 'anything-but prefix list',
    pattern: { region: [{ 'anything-but': { prefix: ['us-', 'eu-'] } }] },
    event: { region: 'eu-west-1' },
    matches: false,
  },
  {
    name: 'anything-but prefix matches a number',
    pattern: { detail: { n: [{ 'anything-but': { prefix: '5' } }] } },
    event: d({ n: 5 }),
    matches: true,
  },
  {
    name: 'doc: anything-but suffix ".txt"',
    pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } },
    event: d({ FileName: 'a.png' }),
    matches: true,
  },
  {
    name: 'anything-but suffix ".png" excludes a .png',
    pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
    event: { FileName: 'a.png' },
    matches: false,
  },
  {
    name: 'doc: anything-but equals-ignore-case',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
    event: d({ state: 'INITIALIZING' }),
    matches: false,
  },
  {
    name: 'doc: anything-but equals-ignore-case list',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
    event: d({ state: 'running' }),
    matches: true,
  },
  {
    name: 'anything-but equals-ignore-case list excludes each',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
    event: d({ state: 'overloaded' }),
    matches: false,
  },
  {
    name: 'doc: anything-but wildcard "*/lib/*" matches another path',
    pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
    event: { FilePath: '/usr/bin/a' },
    matches: true,
  },
  {
    name: 'doc: anything-but wildcard "*/lib/*" excludes a lib path',
    pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
    event: { FilePath: '/usr/lib/a' },
    matches: false,
  },
  {
    name: 'doc: anything-but wildcard list',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] } },
    event: d({ FilePath: '/usr/bin/a' }),
    matches: false,
  },
  {
    name: 'doc: anything-but "Raining" (Weather)',
    pattern: { Weather: [{ 'anything-but': ['Raining'] }] },
    event: { Weather: 'Sunny' },
    matches: true,
  },

  // ---- numeric ----
  {
    name: 'doc: numeric c-count, d-count and x-limit all true',
    pattern: {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    event: rulerEvent,
    matches: true,
  },
  {
    name: 'doc: numeric fails when one field is out of range',
    pattern: {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    event: { ...rulerEvent, detail: { ...rulerEvent.detail, 'd-count': 10 } },
    matches: false,
  },
  {
    name: 'doc: numeric "=" 100 (Price is 100)',
    pattern: { Price: [{ numeric: ['=', 100] }] },
    event: { Price: 100 },
    matches: true,
  },
  {
    name: 'doc: numeric > 10 and <= 20 (20 is in)',
    pattern: { Price: [{ numeric: ['>', 10, '<=', 20] }] },
    event: { Price: 20 },
    matches: true,
  },
  {
    name: 'numeric > 10 and <= 20 (10 is out)',
    pattern: { Price: [{ numeric: ['>', 10, '<=', 20] }] },
    event: { Price: 10 },
    matches: false,
  },
  {
    name: 'numeric >= 10 and < 20 (10 is in)',
    pattern: { Price: [{ numeric: ['>=', 10, '<', 20] }] },
    event: { Price: 10 },
    matches: true,
  },
  {
    name: 'numeric >= 10 and < 20 (20 is out)',
    pattern: { Price: [{ numeric: ['>=', 10, '<', 20] }] },
    event: { Price: 20 },
    matches: false,
  },
  { name: 'numeric > alone', pattern: { Price: [{ numeric: ['>', 0] }] }, event: { Price: 0.000001 }, matches: true },
  { name: 'numeric <= alone', pattern: { Price: [{ numeric: ['<=', -1] }] }, event: { Price: -1 }, matches: true },
  {
    name: 'numeric only works on JSON numbers',
    pattern: { Price: [{ numeric: ['>', 0] }] },
    event: { Price: '5' },
    matches: false,
  },
  {
    name: 'numeric does not match null',
    pattern: { Price: [{ numeric: ['<', 10] }] },
    event: { Price: null },
    matches: false,
  },
  {
    name: 'numeric: large values compare too',
    pattern: { Price: [{ numeric: ['>', 5e9] }] },
    event: { Price: 1e12 },
    matches: true,
  },
  {
    name: 'numeric on an array: any element',
    pattern: { Price: [{ numeric: ['>', 10] }] },
    event: { Price: [1, 11] },
    matches: true,
  },
  {
    name: 'numeric ranges in one list are an OR',
    pattern: { Price: [{ numeric: ['<', 0] }, { numeric: ['>', 100] }] },
    event: { Price: 101 },
    matches: true,
  },

  // ---- cidr ----
  {
    name: 'doc: cidr 10.0.0.0/24 matches 10.0.0.33',
    pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    event: rulerEvent,
    matches: true,
  },
  {
    name: 'cidr 10.0.0.0/24 does not match 10.0.1.33',
    pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    event: d({ 'source-ip': '10.0.1.33' }),
    matches: false,
  },
  {
    name: 'doc: cidr 10.0.0.0/8 in the complex example',
    pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/8' }] } },
    event: rulerEvent,
    matches: true,
  },
  {
    name: 'cidr IPv6 /64',
    pattern: { detail: { ip: [{ cidr: '2001:db8::/64' }] } },
    event: d({ ip: '2001:db8::1:2' }),
    matches: true,
  },
  {
    name: 'cidr IPv6 /64 outside',
    pattern: { detail: { ip: [{ cidr: '2001:db8::/64' }] } },
    event: d({ ip: '2001:db8:0:1::1' }),
    matches: false,
  },
  {
    name: 'cidr IPv4 does not match an IPv6 address',
    pattern: { detail: { ip: [{ cidr: '10.0.0.0/8' }] } },
    event: d({ ip: '::1' }),
    matches: false,
  },
  {
    name: 'cidr reads an IPv4-mapped IPv6 address as IPv4',
    pattern: { detail: { ip: [{ cidr: '10.0.0.0/8' }] } },
    event: d({ ip: '::ffff:a00:1' }),
    matches: true,
  },
  {
    name: 'cidr: the block starts at the address as written',
    pattern: { detail: { ip: [{ cidr: '10.0.0.5/24' }] } },
    event: d({ ip: '10.0.0.4' }),
    matches: false,
  },
  {
    name: 'cidr: ... and ends with all host bits set',
    pattern: { detail: { ip: [{ cidr: '10.0.0.5/24' }] } },
    event: d({ ip: '10.0.0.255' }),
    matches: true,
  },
  {
    name: 'cidr does not match a non-IP string',
    pattern: { detail: { ip: [{ cidr: '10.0.0.0/8' }] } },
    event: d({ ip: 'ten' }),
    matches: false,
  },

  // ---- exists ----
  {
    name: 'doc: exists:true matches a present leaf',
    pattern: { detail: { 'c-count': [{ exists: true }] } },
    event: rulerEvent,
    matches: true,
  },
  {
    name: 'doc: exists:false matches an absent field',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'doc: exists:false also matches when the field is an object (not a leaf)',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: d({ state: ['initializing', 'running'], 'c-count': { c1: 100 } }),
    matches: true,
  },
  {
    name: 'exists:true does not match an object',
    pattern: { detail: { 'c-count': [{ exists: true }] } },
    event: d({ 'c-count': { c1: 100 } }),
    matches: false,
  },
  {
    name: 'exists:false does not match a present leaf',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: rulerEvent,
    matches: false,
  },
  {
    name: 'exists:true matches a null leaf',
    pattern: { detail: { responseElements: [{ exists: true }] } },
    event: nullEvent,
    matches: true,
  },
  {
    name: 'exists:true matches an empty string',
    pattern: { detail: { eventVersion: [{ exists: true }] } },
    event: nullEvent,
    matches: true,
  },
  {
    name: 'exists:false on a top-level name absent from the envelope',
    pattern: { 'replay-name': [{ exists: false }] },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'exists:false with a value: either',
    pattern: { detail: { milk: ['Oat', { exists: false }] } },
    event: d({ drink: 'Latte' }),
    matches: true,
  },
  {
    name: 'exists:false with a value: the value',
    pattern: { detail: { milk: ['Oat', { exists: false }] } },
    event: d({ milk: 'Oat' }),
    matches: true,
  },
  {
    name: 'exists:false with a value: neither',
    pattern: { detail: { milk: ['Oat', { exists: false }] } },
    event: d({ milk: 'Soy' }),
    matches: false,
  },
  {
    name: 'exists:false when detail is not an object',
    pattern: { detail: { state: [{ exists: false }] } },
    event: { detail: 'text' },
    matches: true,
  },

  // ---- wildcard ----
  {
    name: 'doc: wildcard on an event bus ARN',
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    event: { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' },
    matches: true,
  },
  {
    name: 'wildcard on an event bus ARN in another region',
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    event: { EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' },
    matches: false,
  },
  {
    name: 'doc: wildcard "dir/*.png"',
    pattern: { FileName: [{ wildcard: 'dir/*.png' }] },
    event: { FileName: 'dir/a/b.png' },
    matches: true,
  },
  {
    name: 'wildcard "dir/*.png" needs the .png',
    pattern: { FileName: [{ wildcard: 'dir/*.png' }] },
    event: { FileName: 'dir/a.jpg' },
    matches: false,
  },
  {
    name: 'doc: wildcard "Simple*Service"',
    pattern: { source: [{ wildcard: 'Simple*Service' }] },
    event: { source: 'SimpleQueueService' },
    matches: true,
  },
  {
    name: 'wildcard: "*" matches zero characters',
    pattern: { source: [{ wildcard: 'Simple*Service' }] },
    event: { source: 'SimpleService' },
    matches: true,
  },
  {
    name: 'wildcard: "*" alone matches the empty string',
    pattern: { v: [{ wildcard: '*' }] },
    event: { v: '' },
    matches: true,
  },
  { name: 'wildcard only works on strings', pattern: { v: [{ wildcard: '*' }] }, event: { v: 5 }, matches: false },
  {
    name: 'wildcard: the runs may not overlap',
    pattern: { v: [{ wildcard: 'ab*ba' }] },
    event: { v: 'aba' },
    matches: false,
  },
  {
    name: 'wildcard: several stars',
    pattern: { v: [{ wildcard: '*a*b*c*' }] },
    event: { v: 'xxaxxbxxcxx' },
    matches: true,
  },
  {
    name: 'wildcard: several stars, out of order',
    pattern: { v: [{ wildcard: '*a*b*c*' }] },
    event: { v: 'cba' },
    matches: false,
  },
  {
    name: 'wildcard: "\\*" is a literal star',
    pattern: { v: [{ wildcard: 'a\\*b' }] },
    event: { v: 'a*b' },
    matches: true,
  },
  {
    name: 'wildcard: "\\*" does not match other characters',
    pattern: { v: [{ wildcard: 'a\\*b' }] },
    event: { v: 'axb' },
    matches: false,
  },
  {
    name: 'wildcard: "\\\\" is a literal backslash',
    pattern: { v: [{ wildcard: 'a\\\\*' }] },
    event: { v: 'a\\bc' },
    matches: true,
  },
  { name: 'wildcard: "*" spans newlines', pattern: { v: [{ wildcard: 'a*b' }] }, event: { v: 'a\nb' }, matches: true },

  // ---- $or ----
  {
    name: 'doc: $or over three numeric fields',
    pattern: {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    },
    event: d({ 'c-count': 50, 'd-count': 50, 'x-limit': 301.8 }),
    matches: true,
  },
  {
    name: 'doc: $or over three numeric fields, none true',
    pattern: {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    },
    event: d({ 'c-count': 50, 'd-count': 50, 'x-limit': 1 }),
    matches: false,
  },
  {
    name: 'doc: source AND (metricName OR namespace)',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    event: { source: 'aws.cloudwatch', namespace: 'AWS/ES' },
    matches: true,
  },
  {
    name: 'doc: source AND (metricName OR namespace), wrong source',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    event: { source: 'aws.ec2', namespace: 'AWS/ES' },
    matches: false,
  },
  {
    name: 'doc: Location is "New York" or Day is "Monday"',
    pattern: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
    event: { Location: 'Paris', Day: 'Monday' },
    matches: true,
  },
  {
    name: 'doc: parallel $or at two depths',
    pattern: {
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    },
    event: { metricName: 'ReadLatency', detail: { 'detail-type': 'CloudWatch Alarm State Change' } },
    matches: true,
  },
  {
    name: 'doc: parallel $or needs both',
    pattern: {
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    },
    event: { metricName: 'ReadLatency', detail: { 'detail-type': 'Other' } },
    matches: false,
  },
  {
    name: 'doc: nested $or inside an $or member',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2', 'AWS/ES'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    },
    event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 },
    matches: true,
  },
  {
    name: 'nested $or: the inner alternative must hold',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2', 'AWS/ES'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    },
    event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1 },
    matches: false,
  },
  {
    name: '$or: a field written in and after the $or keeps the last write',
    pattern: { a: ['1'], $or: [{ a: ['2'] }, { b: ['3'] }] },
    event: { a: '2' },
    matches: true,
  },
  {
    name: '$or: the overwritten value no longer matches alone',
    pattern: { a: ['1'], $or: [{ a: ['2'] }, { b: ['3'] }] },
    event: { a: '1' },
    matches: false,
  },
  {
    name: '$or that is not the operator is a field name ($or object)',
    pattern: { $or: { a: ['x'] } },
    event: { $or: { a: 'x' } },
    matches: true,
  },
  {
    name: '$or with reserved names inside is a field name with operators',
    pattern: { $or: [{ numeric: ['>', 1] }, { prefix: 'ab' }] },
    event: { $or: 'abc' },
    matches: true,
  },

  // ---- Complex and combined ----
  {
    name: 'doc: complex example (prefix, anything-but, numeric, cidr)',
    pattern: {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    },
    event: rulerEvent,
    matches: true,
  },
  {
    name: 'doc: the comparison-table And (Location and Day)',
    pattern: { Location: ['New York'], Day: ['Monday'] },
    event: { Location: 'New York', Day: 'Tuesday' },
    matches: false,
  },
  { name: 'doc: UserID is null', pattern: { UserID: [null] }, event: { UserID: null }, matches: true },
  { name: 'doc: LastName is empty', pattern: { LastName: [''] }, event: { LastName: '' }, matches: true },
  {
    name: 'doc: PaymentType is "Credit" or "Debit"',
    pattern: { PaymentType: ['Credit', 'Debit'] },
    event: { PaymentType: 'Debit' },
    matches: true,
  },
  {
    name: 'operators and values mix in one list',
    pattern: { detail: { drink: ['Latte', { prefix: 'Flat' }] } },
    event: d({ drink: 'Flat White' }),
    matches: true,
  },
  {
    name: 'duplicate keys: the last one wins',
    pattern: '{"source": ["a"], "source": ["b"]}',
    raw: true,
    event: { source: 'b' },
    matches: true,
  },
  {
    name: 'duplicate keys: the first one is gone',
    pattern: '{"source": ["a"], "source": ["b"]}',
    raw: true,
    event: { source: 'a' },
    matches: false,
  },
  {
    name: 'text after the pattern object is not read',
    pattern: '{"source": ["a"]} trailing',
    raw: true,
    event: { source: 'a' },
    matches: true,
  },
  {
    name: 'a non-object event has no fields',
    pattern: { source: [{ exists: false }] },
    event: 'not an object',
    matches: true,
  },
  { name: 'a non-object event matches no value', pattern: { source: ['a'] }, event: ['a'], matches: false },
  {
    name: 'keys named like Object.prototype members are plain keys',
    pattern: { detail: { constructor: [{ exists: false }] } },
    event: d({}),
    matches: true,
  },
];

const tooComplexStacks = ['SharedStack', 'DataStack', 'ApiStack', 'MonitoringStack'].map((name) => ({
  wildcard: `*:stack/${name}/*`,
}));

/** Patterns AWS accepts (no InvalidEventPatternException). */
export const validPatterns: readonly { readonly name: string; readonly pattern: Json; readonly raw?: boolean }[] = [
  {
    name: 'three "*:stack/NAME/*" wildcards on one field',
    pattern: { detail: { 'stack-id': tooComplexStacks.slice(0, 3) } },
  },
  { name: 'the "exactly" operator', pattern: { source: [{ exactly: 'aws.ec2' }] } },
  { name: 'an empty prefix', pattern: { source: [{ prefix: '' }] } },
  { name: 'a $or read as a field name', pattern: { $or: [{ prefix: 'a' }] } },
  { name: 'numbers past 5e9', pattern: { n: [{ numeric: ['>', -1e12, '<', 1e12] }] } },
  { name: 'whitespace around the pattern', pattern: ' \n {"source": ["a"]} \n', raw: true },
  {
    name: 'anything-but with an empty nested list (event-ruler builds an empty exclusion)',
    pattern: { s: [{ 'anything-but': { prefix: [] } }] },
  },
];

export const invalidCases: readonly InvalidCase[] = [
  // ---- The pattern document ----
  { name: 'a JSON array', pattern: '[{"source": ["a"]}]', raw: true, reason: 'Filter is not an object' },
  { name: 'a JSON string', pattern: '"source"', raw: true, reason: 'Filter is not an object' },
  { name: 'a JSON number', pattern: '5', raw: true, reason: 'Filter is not an object' },
  { name: 'an empty document', pattern: '', raw: true, reason: 'Filter is not an object' },
  { name: 'an empty object', pattern: {}, reason: 'Empty objects are not allowed' },
  { name: 'an empty nested object', pattern: { detail: {} }, reason: 'Empty objects are not allowed' },
  {
    name: 'doc: a leaf that is not an array (string)',
    pattern: { source: 'aws.ec2' },
    reason: '"source" must be an object or an array',
  },
  { name: 'a leaf that is a number', pattern: { detail: { n: 5 } }, reason: '"n" must be an object or an array' },
  { name: 'a leaf that is null', pattern: { detail: { n: null } }, reason: '"n" must be an object or an array' },
  { name: 'a leaf that is true', pattern: { n: true }, reason: '"n" must be an object or an array' },
  { name: 'an empty array', pattern: { source: [] }, reason: 'Empty arrays are not allowed' },
  {
    name: 'an array inside the values',
    pattern: { source: [['aws.ec2']] },
    reason: 'Match value must be String, number, true, false, or null',
  },
  { name: 'an empty match expression', pattern: { source: [{}] }, reason: 'Match expression name not found' },
  {
    name: 'an unknown operator',
    pattern: { source: [{ contains: 'ec2' }] },
    reason: 'Unrecognized match type contains',
  },
  {
    name: 'two operators in one expression',
    pattern: { source: [{ prefix: 'a', suffix: 'b' }] },
    reason: 'Only one key allowed in match expression',
  },
  {
    name: 'refusals come in document order',
    pattern: '{"source": [], "detail": ',
    raw: true,
    reason: 'Empty arrays are not allowed',
  },

  // ---- JSON syntax (Jackson's wording, without its location suffix) ----
  {
    name: 'a trailing comma',
    pattern: '{"source": ["a",]}',
    raw: true,
    reason: "Unexpected character (']' (code 93)): expected a value",
  },
  {
    name: 'an unclosed object',
    pattern: '{"source": ["a"]',
    raw: true,
    reason: 'Unexpected end-of-input: expected close marker for OBJECT',
  },
  {
    name: 'an unquoted key',
    pattern: '{source: ["a"]}',
    raw: true,
    reason: "Unexpected character ('s' (code 115)): was expecting double-quote to start field name",
  },
  {
    name: 'a bare word',
    pattern: 'source',
    raw: true,
    reason:
      "Unrecognized token 'source': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
  },

  // ---- prefix / suffix / equals-ignore-case / exactly ----
  { name: 'prefix: a number', pattern: { source: [{ prefix: 5 }] }, reason: 'prefix match pattern must be a string' },
  { name: 'prefix: a list', pattern: { source: [{ prefix: ['a'] }] }, reason: 'prefix match pattern must be a string' },
  { name: 'suffix: null', pattern: { source: [{ suffix: null }] }, reason: 'suffix match pattern must be a string' },
  {
    name: 'prefix: an empty nested object',
    pattern: { source: [{ prefix: {} }] },
    reason: 'Prefix expression name not found',
  },
  {
    name: 'prefix: an unsupported nested operator',
    pattern: { source: [{ prefix: { wildcard: 'a*' } }] },
    reason: 'Unsupported prefix pattern: wildcard',
  },
  {
    name: 'suffix: an unsupported nested operator',
    pattern: { source: [{ suffix: { 'anything-but': 'a' } }] },
    reason: 'Unsupported suffix pattern: anything-but',
  },
  {
    name: 'prefix equals-ignore-case: a number',
    pattern: { source: [{ prefix: { 'equals-ignore-case': 5 } }] },
    reason: 'equals-ignore-case match pattern must be a string',
  },
  {
    name: 'prefix equals-ignore-case: a second key',
    pattern: { source: [{ prefix: { 'equals-ignore-case': 'a', x: 'b' } }] },
    reason: 'Only one key allowed in match expression',
  },
  {
    name: 'equals-ignore-case: a number',
    pattern: { source: [{ 'equals-ignore-case': 5 }] },
    reason: 'equals-ignore-case match pattern must be a string',
  },
  { name: 'exactly: a number', pattern: { source: [{ exactly: 5 }] }, reason: 'exact match pattern must be a string' },

  // ---- exists ----
  {
    name: 'exists: a string',
    pattern: { source: [{ exists: 'true' }] },
    reason: 'exists match pattern must be either true or false.',
  },
  {
    name: 'exists: null',
    pattern: { source: [{ exists: null }] },
    reason: 'exists match pattern must be either true or false.',
  },
  {
    name: 'exists with another key',
    pattern: { source: [{ exists: true, prefix: 'a' }] },
    reason: 'Only one key allowed in match expression',
  },

  // ---- numeric ----
  { name: 'numeric: not an array', pattern: { n: [{ numeric: 5 }] }, reason: 'Value of numeric must be an array.' },
  { name: 'numeric: an empty array', pattern: { n: [{ numeric: [] }] }, reason: 'Invalid member in numeric match: ]' },
  { name: 'numeric: a number first', pattern: { n: [{ numeric: [5] }] }, reason: 'Invalid member in numeric match: 5' },
  {
    name: 'numeric: the number as written',
    pattern: '{"n": [{"numeric": [5.0]}]}',
    raw: true,
    reason: 'Invalid member in numeric match: 5.0',
  },
  {
    name: 'numeric: an unknown operator',
    pattern: { n: [{ numeric: ['!=', 5] }] },
    reason: 'Unrecognized numeric range operator: !=',
  },
  {
    name: 'numeric: "=" with a string',
    pattern: { n: [{ numeric: ['=', '5'] }] },
    reason: 'Value of equals must be numeric',
  },
  { name: 'numeric: ">" without a value', pattern: { n: [{ numeric: ['>'] }] }, reason: 'Value of > must be numeric' },
  {
    name: 'numeric: "<=" with null',
    pattern: { n: [{ numeric: ['<=', null] }] },
    reason: 'Value of <= must be numeric',
  },
  {
    name: 'numeric: "=" then more',
    pattern: { n: [{ numeric: ['=', 5, '<', 6] }] },
    reason: 'Too many elements in numeric expression',
  },
  {
    name: 'numeric: the upper bound first',
    pattern: { n: [{ numeric: ['<', 5, '>', 1] }] },
    reason: 'Too many elements in numeric expression',
  },
  {
    name: 'numeric: a number where the second operator goes',
    pattern: { n: [{ numeric: ['>', 5, 6] }] },
    reason: 'Bad value in numeric range: 6',
  },
  {
    name: 'numeric: "=" as the second operator',
    pattern: { n: [{ numeric: ['>', 5, '=', 6] }] },
    reason: 'Bad numeric range operator: =',
  },
  {
    name: 'numeric: ">" as the second operator',
    pattern: { n: [{ numeric: ['>', 5, '>', 6] }] },
    reason: 'Bad numeric range operator: >',
  },
  {
    name: 'numeric: a string upper bound',
    pattern: { n: [{ numeric: ['>', 5, '<', 'x'] }] },
    reason: 'Value of < must be numeric',
  },
  {
    name: 'numeric: five terms',
    pattern: { n: [{ numeric: ['>', 5, '<', 10, '<', 12] }] },
    reason: 'Too many terms in numeric range expression',
  },
  {
    name: 'numeric: bottom above top',
    pattern: { n: [{ numeric: ['>', 10, '<', 5] }] },
    reason: 'Bottom must be less than top',
  },
  {
    name: 'numeric: bottom equal to top',
    pattern: { n: [{ numeric: ['>=', 5, '<=', 5] }] },
    reason: 'Bottom must be less than top',
  },
  {
    name: 'numeric with another key',
    pattern: { n: [{ numeric: ['>', 0], prefix: 'a' }] },
    reason: 'Too many elements in numeric expression',
  },
  {
    name: 'numeric: a number beyond doubles',
    pattern: '{"n": [{"numeric": ["<", 1e400]}]}',
    raw: true,
    reason: 'Cannot compare number : 1e400',
  },

  // ---- anything-but ----
  {
    name: 'anything-but: true',
    pattern: { s: [{ 'anything-but': true }] },
    reason: 'Value of anything-but must be an array or single string/number value.',
  },
  {
    name: 'anything-but: null',
    pattern: { s: [{ 'anything-but': null }] },
    reason: 'Value of anything-but must be an array or single string/number value.',
  },
  {
    name: 'anything-but: null in the list',
    pattern: { s: [{ 'anything-but': ['a', null] }] },
    reason: 'Inside anything but list, start|null|boolean is not supported.',
  },
  {
    name: 'anything-but: operators in the list (reported by users)',
    pattern: { s: [{ 'anything-but': [{ prefix: 'abc-' }, { prefix: 'xyz-' }] }] },
    reason: 'Inside anything but list, start|null|boolean is not supported.',
  },
  {
    name: 'anything-but: strings and numbers',
    pattern: { s: [{ 'anything-but': ['a', 1] }] },
    reason: 'Inside anything but list, either all values are number or string, mixed type is not supported',
  },
  {
    name: 'anything-but: an empty list',
    pattern: { s: [{ 'anything-but': [] }] },
    reason: 'Inside anything but list, either all values are number or string, mixed type is not supported',
  },
  {
    name: 'anything-but: an empty object',
    pattern: { s: [{ 'anything-but': {} }] },
    reason: 'Anything-But expression name not found',
  },
  {
    name: 'anything-but: an unsupported operator',
    pattern: { s: [{ 'anything-but': { numeric: ['>', 1] } }] },
    reason: 'Unsupported anything-but pattern: numeric',
  },
  {
    name: 'anything-but: exists',
    pattern: { s: [{ 'anything-but': { exists: true } }] },
    reason: 'Unsupported anything-but pattern: exists',
  },
  {
    name: 'anything-but prefix: empty',
    pattern: { s: [{ 'anything-but': { prefix: '' } }] },
    reason: 'Null prefix/suffix not allowed',
  },
  {
    name: 'anything-but suffix: empty in a list',
    pattern: { s: [{ 'anything-but': { suffix: ['.png', ''] } }] },
    reason: 'Null prefix/suffix not allowed',
  },
  {
    name: 'anything-but prefix: a number',
    pattern: { s: [{ 'anything-but': { prefix: 5 } }] },
    reason: 'prefix/suffix match pattern must be a string',
  },
  {
    name: 'anything-but prefix: null',
    pattern: { s: [{ 'anything-but': { prefix: null } }] },
    reason: 'Value of anything-but must be an array or single string/number value.',
  },
  {
    name: 'anything-but equals-ignore-case: a number',
    pattern: { s: [{ 'anything-but': { 'equals-ignore-case': [1] } }] },
    reason: 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
  },
  {
    name: 'anything-but wildcard: a number',
    pattern: { s: [{ 'anything-but': { wildcard: 5 } }] },
    reason: 'wildcard match pattern must be a string',
  },
  {
    name: 'anything-but wildcard: consecutive stars',
    pattern: { s: [{ 'anything-but': { wildcard: ['ok*', 'a**'] } }] },
    reason: 'Consecutive wildcard characters at pos 2',
  },
  {
    name: 'anything-but with two nested operators',
    pattern: { s: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] },
    reason: 'Too many elements in numeric expression',
  },
  {
    name: 'anything-but with another key',
    pattern: { s: [{ 'anything-but': 'a', prefix: 'b' }] },
    reason: 'Too many elements in numeric expression',
  },

  // ---- cidr ----
  { name: 'cidr: a number', pattern: { ip: [{ cidr: 10 }] }, reason: 'prefix match pattern must be a string' },
  { name: 'cidr: no slash', pattern: { ip: [{ cidr: '10.0.0.0' }] }, reason: "Malformed CIDR, one '/' required" },
  {
    name: 'cidr: two slashes',
    pattern: { ip: [{ cidr: '10.0.0.0/8/8' }] },
    reason: "Malformed CIDR, one '/' required",
  },
  {
    name: 'cidr: a mask that is not a number',
    pattern: { ip: [{ cidr: '10.0.0.0/x' }] },
    reason: 'Malformed CIDR, mask bits must be an integer',
  },
  {
    name: 'cidr: a negative mask',
    pattern: { ip: [{ cidr: '10.0.0.0/-1' }] },
    reason: 'Malformed CIDR, mask bits must not be negative',
  },
  {
    name: 'cidr: not an address',
    pattern: { ip: [{ cidr: 'localhost/8' }] },
    reason: 'Nonstandard IP address: localhost',
  },
  {
    name: 'cidr: an octet above 255',
    pattern: { ip: [{ cidr: '10.0.0.256/24' }] },
    reason: 'Invalid IP address: 10.0.0.256',
  },
  {
    name: 'cidr: a bad IPv6 address',
    pattern: { ip: [{ cidr: '1::2::3/64' }] },
    reason: 'Invalid IP address: 1::2::3',
  },
  { name: 'cidr: an IPv4 /32', pattern: { ip: [{ cidr: '10.0.0.1/32' }] }, reason: 'IPv4 mask bits must be < 32' },
  { name: 'cidr: an IPv6 /128', pattern: { ip: [{ cidr: '::1/128' }] }, reason: 'IPv6 mask bits must be < 128' },

  // ---- wildcard ----
  { name: 'wildcard: a number', pattern: { s: [{ wildcard: 5 }] }, reason: 'wildcard match pattern must be a string' },
  {
    name: 'wildcard: consecutive stars',
    pattern: { s: [{ wildcard: 'a**b' }] },
    reason: 'Consecutive wildcard characters at pos 2',
  },
  {
    name: 'wildcard: the position counts UTF-8 bytes',
    pattern: { s: [{ wildcard: 'é**' }] },
    reason: 'Consecutive wildcard characters at pos 3',
  },
  {
    name: 'wildcard: an escape of another character',
    pattern: { s: [{ wildcard: 'a\\b' }] },
    reason: 'Invalid escape character at pos 2',
  },
  {
    name: 'wildcard: a trailing backslash',
    pattern: { s: [{ wildcard: 'ab\\' }] },
    reason: 'Invalid escape character at pos 3',
  },
  {
    name: 'wildcard: too complex ("*:stack/NAME/*" for four names)',
    pattern: { detail: { 'stack-id': tooComplexStacks } },
    reason:
      'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
  },
  {
    name: 'wildcard: too complex (repeating characters after stars)',
    pattern: { s: [{ wildcard: '*a*a*a*a*a*a*' }] },
    reason:
      'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
  },

  // ---- $or (a refusal by the $or compiler is retried reading "$or" as a field name) ----
  { name: '$or with one member', pattern: { $or: [{ source: ['a'] }] }, reason: 'Unrecognized match type source' },
  { name: '$or that is a string', pattern: { $or: 'source' }, reason: '"$or" must be an object or an array' },
  { name: '$or that is empty', pattern: { $or: [] }, reason: 'Empty arrays are not allowed' },
  {
    name: '$or with a non-object member',
    pattern: { $or: [{ source: ['a'] }, 'b'] },
    reason: 'Unrecognized match type source',
  },
  {
    name: '$or with an invalid member',
    pattern: { $or: [{ a: ['x'] }, { b: [] }] },
    reason: 'Unrecognized match type a',
  },
  {
    name: '$or with a reserved name inside a member',
    pattern: { $or: [{ numeric: ['>', 1] }, { b: ['x'] }] },
    reason: 'Unrecognized match type b',
  },
  {
    name: '$or combinations beyond the limit',
    pattern: {
      $or: [
        { a: ['1'] },
        { a: ['2'] },
        { a: ['3'] },
        { a: ['4'] },
        { a: ['5'] },
        { a: ['6'] },
        { a: ['7'] },
        { a: ['8'] },
        { a: ['9'] },
        { a: ['10'] },
      ],
      x: {
        $or: [
          { b: ['1'] },
          { b: ['2'] },
          { b: ['3'] },
          { b: ['4'] },
          { b: ['5'] },
          { b: ['6'] },
          { b: ['7'] },
          { b: ['8'] },
          { b: ['9'] },
          { b: ['10'] },
        ],
      },
      y: {
        $or: [
          { c: ['1'] },
          { c: ['2'] },
          { c: ['3'] },
          { c: ['4'] },
          { c: ['5'] },
          { c: ['6'] },
          { c: ['7'] },
          { c: ['8'] },
          { c: ['9'] },
          { c: ['10'] },
          { c: ['11'] },
        ],
      },
    },
    reason: 'Event pattern contains more than 1000 rule combinations',
  },
];
