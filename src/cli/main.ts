/**
 * The command line: a tree of commands whose definitions load nothing heavy, so that `--help`
 * and usage errors are instant; each command loads what it uses when it runs.
 */
import { Command, CommanderError } from 'commander';
import { UserError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { askCommand } from './commands/ask.js';
import { cliConfig } from './config.js';
import { chatCommand } from './commands/chat.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { ingestCommand } from './commands/ingest.js';
import { modelsCommand } from './commands/models.js';
import { searchCommand } from './commands/search.js';
import { videosCommand } from './commands/videos.js';

const program = new Command('vidmem')
  .description('Long-video memory: watch videos clip by clip, keep their memories, find moments by text.')
  .version(VERSION)
  .showHelpAfterError('(run with --help for usage)')
  .addCommand(demoCommand())
  .addCommand(ingestCommand())
  .addCommand(searchCommand())
  .addCommand(askCommand())
  .addCommand(chatCommand())
  .addCommand(videosCommand())
  .addCommand(modelsCommand())
  .addCommand(doctorCommand());

/** Usage errors anywhere in the tree (`models pull` too) reach `fail` instead of exiting inside commander. */
function overrideExits(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) overrideExits(sub);
}
overrideExits(program);

/** Errors meant for the user are one line; anything else is a bug, with its stack on request. */
function fail(err: unknown): never {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  if (err instanceof UserError) {
    process.stderr.write(`vidmem: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  const message = err instanceof Error ? err.message : String(err);
  let debug = false;
  try {
    debug = cliConfig().debug;
  } catch {
    // A bad variable elsewhere in the configuration must not hide this error.
  }
  process.stderr.write(`vidmem: internal error: ${message}${debug ? `\n${(err as Error).stack}` : ' (VIDMEM_DEBUG=1 shows details)'}\n`);
  process.exit(1);
}

process.on('SIGINT', () => {
  process.stderr.write('\nvidmem: interrupted; what is stored is kept, and an ingest resumes when run again\n');
  process.exit(130);
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
