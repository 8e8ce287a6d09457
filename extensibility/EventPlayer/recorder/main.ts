// npm run record -w @serverlesspresso/event-player [-- --speed 20 --seed 8 --minutes 15 --out FILE]
//
// Records a session (record.ts) and writes it, by default to archive/session.json, the archive the
// player replays. Not part of npm test: the 15-minute session takes about a minute of real time and
// makes a file that is committed (test/record.test.ts records a 2-minute one).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { archiveText, record } from './record.js';

const { values } = parseArgs({
  options: {
    speed: { type: 'string', default: '20' },
    seed: { type: 'string', default: '8' },
    minutes: { type: 'string', default: '15' },
    out: { type: 'string', default: new URL('../archive/session.json', import.meta.url).pathname },
  },
});

const number = (name: 'speed' | 'seed' | 'minutes'): number => {
  const n = Number(values[name]);
  if (values[name].trim() === '' || Number.isNaN(n))
    throw new Error(`--${name} must be a number, got "${values[name]}"`);
  return n;
};
const { archive, outcome } = await record({
  speed: number('speed'),
  seed: number('seed'),
  minutes: number('minutes'),
  log: (line) => console.log(line),
});
writeFileSync(values.out, archiveText(archive));
const counts = archive.recording?.counts;
console.log(
  `${archive.events.length} events over ${(archive.durationMs / 60_000).toFixed(1)} minutes written to ${values.out}`,
);
console.log(
  JSON.stringify(
    {
      counts,
      ...outcome,
      orderIds: outcome.orderIds.length,
      robots: outcome.robots && { ...outcome.robots, orderIds: outcome.robots.orderIds.length },
    },
    null,
    2,
  ),
);
