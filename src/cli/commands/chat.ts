import { Command, Option } from 'commander';
import { basename } from 'node:path';
import { UserError } from '../../core/errors.js';
import { formatMomentRange } from '../../core/time-format.js';
import type { Decoder } from '../../core/ports/decoder.js';
import type { ChatSessionRecord, NewChatTurn, Vidmem } from '../../../pipelines/vidmem.js';
import type { AppFlags } from '../app.js';
import { addDecoderOptions, positiveInteger, storeOption, videoOption } from '../options.js';

interface ChatFlags extends AppFlags {
  video?: number;
  session?: number;
  list: boolean;
  explain: boolean;
}

/** Earlier turns shown when a session is resumed, each cut to one short line. */
const RESUME_SHOWN = 10;
const RESUME_WIDTH = 100;

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > RESUME_WIDTH ? `${line.slice(0, RESUME_WIDTH - 1)}…` : line;
}

function describeScope(app: Vidmem, session: ChatSessionRecord): string {
  if (session.videoId === null) return 'about every video in the store';
  const video = app.video(session.videoId);
  return `about video ${session.videoId}${video ? ` (${basename(video.path)})` : ''}`;
}

/** What a conversation is about: a session being continued, or a new one, saved with its first answer. */
type Conversation = { id: number } | { videoId: number | null };

function describeVideo(app: Vidmem, videoId: number | null): string {
  if (videoId === null) return 'about every video in the store';
  const video = app.video(videoId);
  if (!video) throw new UserError(`store ${app.storeDir} has no video ${videoId} (\`vidmem videos\` lists them)`);
  return `about video ${videoId} (${basename(video.path)})`;
}

/** The session to continue, shown with its last turns, or a new one, which exists once it has an answer. */
function openConversation(app: Vidmem, flags: ChatFlags): Conversation {
  if (flags.session === undefined) {
    const videoId = flags.video ?? null;
    // A store that cannot be written has said so once already.
    process.stdout.write(`new chat ${describeVideo(app, videoId)}${app.saves ? '; it is saved with its first answer' : ''}\n`);
    return { videoId };
  }
  const session = app.chatSession(flags.session);
  if (!session) throw new UserError(`store ${app.storeDir} has no chat session ${flags.session}`);
  if (flags.video !== undefined && flags.video !== session.videoId) {
    throw new UserError(`chat session ${session.id} is ${describeScope(app, session)}; leave out --video, or start a new session`);
  }
  process.stdout.write(`chat session ${session.id}, ${describeScope(app, session)}, ${session.turns} earlier turn${session.turns === 1 ? '' : 's'}\n`);
  const shown = app.chatTurns(session.id, RESUME_SHOWN);
  if (session.turns > shown.length) process.stdout.write(`  … ${session.turns - shown.length} older turns\n`);
  for (const turn of shown) process.stdout.write(`  you: ${oneLine(turn.question)}\n  vidmem: ${oneLine(turn.answer)}\n`);
  return { id: session.id };
}

/** The sessions a user can resume, each on a line with what it was about. */
function listSessions(app: Vidmem): void {
  const sessions = app.chatSessions();
  if (sessions.length === 0) {
    process.stdout.write(`no chat sessions in ${app.storeDir} yet; \`vidmem chat\` starts one\n`);
    return;
  }
  process.stdout.write(`chat sessions in ${app.storeDir}, most recent first (resume one with --session ID):\n`);
  for (const session of sessions) {
    const when = `${session.updatedAt.slice(0, 16).replace('T', ' ')} UTC`;
    const turns = `${session.turns} turn${session.turns === 1 ? '' : 's'}`;
    const began = session.firstQuestion === null ? '' : `, began with "${oneLine(session.firstQuestion)}"`;
    process.stdout.write(`${String(session.id).padStart(4)}  ${when}  ${describeScope(app, session)}, ${turns}${began}\n`);
  }
}

/** What became of a turn answered in full: recorded in a session, or kept by this process only. */
type Kept = { readonly sessionId: number } | { readonly unsaved: NewChatTurn };

/** Answers one question on the terminal as it streams; a turn that fails is reported, not thrown. */
async function answerOnTerminal(
  app: Vidmem,
  decoder: Decoder,
  turn: { conversation: Conversation; unsaved: readonly NewChatTurn[]; question: string; explain: boolean },
  signal: AbortSignal,
): Promise<Kept | undefined> {
  const [{ consume }, { explainSelection }] = await Promise.all([import('../app.js'), import('../explain.js')]);
  let atLineStart = true;
  let cited = '';
  let explained = '';
  let kept: Kept | undefined;
  const write = (text: string) => {
    if (text === '') return;
    process.stdout.write(text);
    atLineStart = text.endsWith('\n');
  };
  try {
    await consume(
      app.chatTurn('id' in turn.conversation ? turn.conversation.id : turn.conversation, turn.question, turn.unsaved),
      (event) => {
        if (event.type === 'text') write(event.text);
        if (event.type === 'recorded') kept = { sessionId: event.turn.sessionId };
        if (event.type === 'unsaved') kept = { unsaved: event.turn };
        if (event.type !== 'selection') return;
        // An LLM's citations are its own; the built-in answer is a list of the evidence already.
        if (!decoder.listsEvidence && event.evidence.length > 0) {
          cited = `  evidence: ${event.evidence.map((e) => `[${formatMomentRange(e)}] ${basename(e.videoPath)}`).join(', ')}\n`;
        }
        if (turn.explain) explained = `${explainSelection(event.selection)}\n`;
      },
      signal,
    );
    if (!atLineStart) write('\n');
    write(cited);
    write(explained);
    return kept;
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
    return undefined;
  }
}

/** Reads questions line by line until end of input or /exit; each is answered and recorded (where the store can be written) before the next. */
async function converse(app: Vidmem, decoder: Decoder, started: Conversation, explain: boolean): Promise<void> {
  const [{ createInterface }, { onInterrupt }] = await Promise.all([import('node:readline'), import('../interrupt.js')]);
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
  let conversation = started;
  const unsaved: NewChatTurn[] = [];
  let running: AbortController | undefined;
  // Ctrl-C stops the answer being streamed; between answers it ends the session. A terminal's
  // Ctrl-C reaches readline, a pipe's the process: both do the same.
  const interrupt = (): void => (running ? running.abort() : rl.close());
  rl.on('SIGINT', interrupt);
  if (interactive) {
    process.stdout.write('Ask about the video; follow-ups such as "and after that?" build on the last answer. Ctrl-D or /exit ends.\n');
    rl.setPrompt('you› ');
    rl.prompt();
  }
  await onInterrupt(interrupt, async () => {
    for await (const line of rl) {
      const question = line.trim();
      if (question === '/exit' || question === '/quit') break;
      if (question !== '') {
        running = new AbortController();
        const kept = await answerOnTerminal(app, decoder, { conversation, unsaved, question, explain }, running.signal);
        running = undefined;
        if (kept && 'unsaved' in kept) unsaved.push(kept.unsaved);
        if (kept && 'sessionId' in kept && !('id' in conversation)) {
          process.stdout.write(`(saved as chat session ${kept.sessionId}; resume it with --session ${kept.sessionId})\n`);
          conversation = { id: kept.sessionId };
        }
      }
      if (interactive) rl.prompt();
    }
  });
  rl.close();
}

async function chat(flags: ChatFlags): Promise<void> {
  const { withApp } = await import('../app.js');
  const { video: _video, session: _session, list, explain, ...appFlags } = flags;
  if (list) {
    await withApp(appFlags, 'read', async (app) => listSessions(app));
    return;
  }
  await withApp(appFlags, 'write-if-possible', async (app) => {
    const decoder = await app.answerer();
    await app.loadModel('questions');
    await converse(app, decoder, openConversation(app, flags), explain);
  }, { quiet: true, create: false });
}

export function chatCommand(): Command {
  return addDecoderOptions(new Command('chat'))
    .addOption(storeOption())
    .addOption(videoOption())
    .option('--session <id>', 'resume an earlier session', positiveInteger('--session'))
    .addOption(new Option('--list', 'list the sessions in the store, to find one to resume').default(false).conflicts(['session', 'video']))
    .option('--explain', 'after each answer, show how its memories were selected (a follow-up along the timeline says so)', false)
    .action(chat);
}
