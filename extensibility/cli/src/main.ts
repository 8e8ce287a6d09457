// presso: one command line for the contract, the local cloud and the EventPlayer.
import { Command } from 'commander';
import { validateCommand } from './commands/validate.js';

const program = new Command('presso').description('Serverlesspresso developer tool: the event contract, the local cloud, the EventPlayer.');

program
  .command('validate')
  .description('validate EventBridge envelopes against the Serverlesspresso contract')
  .argument('<file>', 'a JSON array of envelopes, or JSON Lines (one envelope per line); "-" reads standard input')
  .action(async (file: string) => {
    process.exitCode = await validateCommand(file, process.stdout);
  });

await program.parseAsync();
