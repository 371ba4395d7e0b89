/**
 * The command line. Only the command that runs is loaded, and it loads what it uses when it runs,
 * so that `--help` and usage errors are instant and `search` does not pay for ingesting.
 */
import { Command, CommanderError } from 'commander';
import { UserError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { listenForInterrupts } from './interrupt.js';

interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'demo',
    summary: 'offline demo: generate a sample video, ingest it with the built-in palette model, run a few searches',
    load: async () => (await import('./commands/demo.js')).demoCommand(),
  },
  { name: 'ingest', summary: 'watch video files clip by clip and store their memories', load: async () => (await import('./commands/ingest.js')).ingestCommand() },
  { name: 'search', summary: 'find the moments that match a text query', load: async () => (await import('./commands/search.js')).searchCommand() },
  { name: 'ask', summary: 'answer a question from the stored memories, with the moments it rests on', load: async () => (await import('./commands/ask.js')).askCommand() },
  {
    name: 'chat',
    summary: 'talk with the videos in a store: every question re-selects memories, and follow-ups such as "and after that?" build on the last answer',
    load: async () => (await import('./commands/chat.js')).chatCommand(),
  },
  {
    name: 'reindex',
    summary: 'add what stored videos lack: --text reads their slides and subtitles into their clips',
    load: async () => (await import('./commands/reindex.js')).reindexCommand(),
  },
  {
    name: 'watch',
    summary: 'watch live cameras and streams (rtsp, http, udp, srt) into a store, through drops, until stopped',
    load: async () => (await import('./commands/watch.js')).watchCommand(),
  },
  {
    name: 'serve',
    summary: 'serve a store over HTTP on 127.0.0.1: the web page, and an API for search, ask, chat, ingest and watching',
    load: async () => (await import('./commands/serve.js')).serveCommand(),
  },
  {
    name: 'mcp',
    summary: 'serve a store to LLM agents over MCP (stdio): search moments, ask, list videos and sources, get keyframes',
    load: async () => (await import('./commands/mcp.js')).mcpCommand(),
  },
  { name: 'clip', summary: 'cut a playable MP4 out of what a live source sent, at a time, from its recordings', load: async () => (await import('./commands/clip.js')).clipCommand() },
  { name: 'sources', summary: 'list the live sources in a store: the time they cover, their segments and gaps; sources rm removes them', load: async () => (await import('./commands/sources.js')).sourcesCommand() },
  {
    name: 'alerts',
    summary: 'standing questions checked on every new clip, each appearance one event: alerts add --text "a red car" | --object person, list, rm',
    load: async () => (await import('./commands/alerts.js')).alertsCommand(),
  },
  { name: 'events', summary: 'list the events the standing questions raised', load: async () => (await import('./commands/events.js')).eventsCommand() },
  { name: 'videos', summary: 'list the videos in a store', load: async () => (await import('./commands/videos.js')).videosCommand() },
  {
    name: 'models',
    summary: 'manage the model cache (VIDMEM_CACHE, else $XDG_CACHE_HOME/vidmem): list, pull, verify, rm',
    load: async () => (await import('./commands/models.js')).modelsCommand(),
  },
  {
    name: 'doctor',
    summary: 'show the ffmpeg, onnxruntime and SQLite in use and the execution providers found',
    load: async () => (await import('./commands/doctor.js')).doctorCommand(),
  },
];

/** The command the arguments name (`vidmem help ingest` names ingest); no global option takes a value. */
function wanted(args: readonly string[]): string | undefined {
  const words = args.filter((arg) => !arg.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/** Usage errors anywhere in the tree (`models pull` too) reach `fail` instead of exiting inside commander. */
function overrideExits(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) overrideExits(sub);
}

async function program(args: readonly string[]): Promise<Command> {
  const root = new Command('vidmem')
    .description('Long-video memory: watch videos clip by clip, keep their memories, find moments by text.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)');
  const name = wanted(args);
  for (const entry of COMMANDS) {
    // The others are listed by name and summary only, which is all the overview shows of them.
    const command = entry.name === name ? await entry.load() : new Command(entry.name);
    root.addCommand(command.description(entry.summary));
  }
  overrideExits(root);
  return root;
}

/** Errors meant for the user are one line; anything else is a bug, with its stack on request. */
async function fail(err: unknown): Promise<never> {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  if (err instanceof UserError) {
    process.stderr.write(`vidmem: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  let debug = false;
  try {
    debug = (await import('./config.js')).cliConfig().debug;
  } catch {
    // A bad variable elsewhere in the configuration must not hide this error.
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`vidmem: internal error: ${message}${debug ? `\n${(err as Error).stack}` : ' (VIDMEM_DEBUG=1 shows details)'}\n`);
  process.exit(1);
}

// A reader that stops early (`vidmem search … | head`) is no error of ours.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

listenForInterrupts();

try {
  await (await program(process.argv.slice(2))).parseAsync(process.argv);
} catch (err) {
  await fail(err);
}
