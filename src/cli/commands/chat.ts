import { Command, Option } from 'commander';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { chatTurn, type ChatContext } from '../../../pipelines/chat-session.js';
import type { ChatSessionRecord, MemoryStore } from '../../../storage/memory-store.js';
import { openStore } from '../open-store.js';
import { chooseDecoder } from '../../decoders/choose-decoder.js';
import { GroundedAnswerer } from '../../decoders/grounded-answerer.js';
import { UserError } from '../../errors.js';
import { formatRange } from '../format.js';
import { chooseModel, loadTextEncoder } from '../open-model.js';
import { positiveInteger, storeOption, videoOption } from '../store-option.js';

interface ChatFlags {
  store: string;
  video?: number;
  session?: number;
  llm?: string;
  images: boolean;
  list: boolean;
}

/** Earlier turns shown when a session is resumed, each cut to one short line. */
const RESUME_SHOWN = 10;
const RESUME_WIDTH = 100;

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > RESUME_WIDTH ? `${line.slice(0, RESUME_WIDTH - 1)}…` : line;
}

/** The session to continue, or a new one; either way the user learns its id. */
function openSession(store: MemoryStore, flags: ChatFlags): ChatSessionRecord {
  if (flags.session === undefined) {
    if (flags.video !== undefined && !store.getVideo(flags.video)) {
      throw new UserError(`store ${store.dir} has no video ${flags.video} (see \`vidmem videos\`)`);
    }
    const session = store.startChat(flags.video ?? null);
    process.stdout.write(`chat session ${session.id}, ${describeScope(store, session)} (resume it with --session ${session.id})\n`);
    return session;
  }
  const session = store.chatSession(flags.session);
  if (!session) throw new UserError(`store ${store.dir} has no chat session ${flags.session}`);
  if (flags.video !== undefined && flags.video !== session.videoId) {
    throw new UserError(`chat session ${session.id} is ${describeScope(store, session)}; leave out --video, or start a new session`);
  }
  process.stdout.write(`chat session ${session.id}, ${describeScope(store, session)}, ${session.turns} earlier turn${session.turns === 1 ? '' : 's'}\n`);
  const shown = store.chatTurns(session.id, RESUME_SHOWN);
  if (session.turns > shown.length) process.stdout.write(`  … ${session.turns - shown.length} older turns\n`);
  for (const turn of shown) process.stdout.write(`  you: ${oneLine(turn.question)}\n  vidmem: ${oneLine(turn.answer)}\n`);
  return session;
}

function describeScope(store: MemoryStore, session: ChatSessionRecord): string {
  if (session.videoId === null) return 'about every video in the store';
  const video = store.getVideo(session.videoId);
  return `about video ${session.videoId}${video ? ` (${basename(video.path)})` : ''}`;
}

/** The sessions a user can resume, each on a line with what it was about. */
function listSessions(store: MemoryStore): void {
  const sessions = store.chatSessions();
  if (sessions.length === 0) {
    process.stdout.write(`no chat sessions in ${store.dir} yet; \`vidmem chat\` starts one\n`);
    return;
  }
  process.stdout.write(`chat sessions in ${store.dir}, most recent first (resume one with --session ID):\n`);
  for (const session of sessions) {
    const when = `${session.updatedAt.slice(0, 16).replace('T', ' ')} UTC`;
    const turns = `${session.turns} turn${session.turns === 1 ? '' : 's'}`;
    const began = session.firstQuestion === null ? '' : `, began with "${oneLine(session.firstQuestion)}"`;
    process.stdout.write(`${String(session.id).padStart(4)}  ${when}  ${describeScope(store, session)}, ${turns}${began}\n`);
  }
}

/** Answers one question on the terminal as it streams; a turn that fails is reported, not thrown. */
async function answerOnTerminal(ctx: ChatContext, question: string, signal: AbortSignal): Promise<void> {
  let atLineStart = true;
  const write = (text: string) => {
    if (text === '') return;
    process.stdout.write(text);
    atLineStart = text.endsWith('\n');
  };
  try {
    const { evidence } = await chatTurn(ctx, question, { signal, onPiece: write });
    if (!atLineStart) write('\n');
    // The built-in answer is a list of the evidence already; an LLM's citations are its own.
    if (evidence.length > 0 && !(ctx.decoder instanceof GroundedAnswerer)) {
      write(`  evidence: ${evidence.map((e) => `[${formatRange(e.start, e.end)}] ${basename(e.videoPath)}`).join(', ')}\n`);
    }
  } catch (err) {
    if (!atLineStart) write('\n');
    if (signal.aborted) {
      write('(answer stopped; not recorded)\n');
    } else if (err instanceof UserError) {
      process.stderr.write(`vidmem: ${err.message}\n`);
      // The conversation goes on, but a script still learns from the exit status that a turn failed.
      process.exitCode = err.exitCode;
    } else {
      throw err;
    }
  }
}

/** Reads questions line by line until end of input or /exit; each is answered and recorded before the next. */
async function converse(ctx: ChatContext): Promise<void> {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
  let running: AbortController | undefined;
  // Ctrl-C stops the answer being streamed; at the prompt it ends the session.
  rl.on('SIGINT', () => (running ? running.abort() : rl.close()));
  if (interactive) {
    process.stdout.write('Ask about the video; follow-ups such as "and after that?" build on the last answer. Ctrl-D or /exit ends.\n');
    rl.setPrompt('you› ');
    rl.prompt();
  }
  for await (const line of rl) {
    const question = line.trim();
    if (question === '/exit' || question === '/quit') break;
    if (question !== '') {
      running = new AbortController();
      await answerOnTerminal(ctx, question, running.signal);
      running = undefined;
    }
    if (interactive) rl.prompt();
  }
  rl.close();
}

export function chatCommand(): Command {
  return new Command('chat')
    .description('talk with the videos in a store: every question re-selects memories, and follow-ups such as "and after that?" build on the last answer')
    .addOption(storeOption())
    .addOption(videoOption())
    .option('--session <id>', 'resume an earlier session', positiveInteger('--session'))
    .addOption(new Option('--list', 'list the sessions in the store, to find one to resume').default(false).conflicts(['session', 'video']))
    .option('--llm <url>', 'answer with an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 (default: VIDMEM_LLM_URL; without either, the built-in answerer)')
    .option('--no-images', 'send the LLM no keyframes (for text-only models)')
    .action(async (flags: ChatFlags) => {
      if (flags.list) {
        const store = openStore(flags.store, { create: false, readonly: true });
        try {
          listSessions(store);
        } finally {
          store.close();
        }
        return;
      }
      const decoder = chooseDecoder({ llm: flags.llm, images: flags.images });
      const store = openStore(flags.store, { create: false });
      try {
        if (!store.model()) throw new UserError(`store ${store.dir} holds no videos yet; ingest one first`);
        const model = await chooseModel(store, { quiet: true });
        const text = await loadTextEncoder(model, {});
        try {
          store.bindModel(text.identity);
          const session = openSession(store, flags);
          const videoId = session.videoId ?? undefined;
          await converse({ store, text, decoder, sessionId: session.id, videoId });
        } finally {
          await text.dispose();
        }
      } finally {
        store.close();
      }
    });
}
