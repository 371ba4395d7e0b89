import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTurn, temporalCue } from '../src/selection/follow-up.js';
import { formatTimestamp } from '../src/core/time-format.js';
import { renderSegments, type Segment } from '../src/sources/synthetic-video.js';
import { MemoryStore, StoreError } from '../storage/memory-store.js';
import { BIN, tempDir, vidmem } from './helpers/cli.js';

/** Red first, then other colours: "and after that?" must land on what follows the red. */
const SEGMENTS: Segment[] = [
  { seconds: 6, layout: { full: 'red' } },
  { seconds: 6, layout: { left: 'blue', right: 'yellow' } },
  { seconds: 6, layout: { full: 'green' } },
  { seconds: 6, layout: { top: 'white', bottom: 'black' } },
  { seconds: 6, layout: { full: 'magenta' } },
];

interface StoredTurn {
  id: number;
  question: string;
  query: string;
  answer: string;
  decoder: string;
  evidence: Array<{ videoId: number; start: number; end: number; score: number }>;
}

/** The session's turns as the store holds them, read straight from SQLite. */
function storedTurns(store: string, sessionId: number): StoredTurn[] {
  const db = new Database(join(store, 'vidmem.db'), { readonly: true, fileMustExist: true });
  try {
    const turns = db.prepare('SELECT id, question, query, answer, decoder FROM chat_turns WHERE session_id = ? ORDER BY id').all(sessionId) as StoredTurn[];
    const evidence = db.prepare('SELECT video_id AS videoId, start_sec AS start, end_sec AS "end", score FROM chat_evidence WHERE turn_id = ? ORDER BY k');
    return turns.map((t) => ({ ...t, evidence: evidence.all(t.id) as StoredTurn['evidence'] }));
  } finally {
    db.close();
  }
}

function sessionId(stdout: string): number {
  const match = /^\(saved as chat session (\d+); resume it with --session \1\)$/m.exec(stdout);
  expect(match, stdout).not.toBeNull();
  return Number(match![1]);
}

/** The moment a turn's answer is mostly about, as the follow-up logic picks it. */
function anchorOf(turn: StoredTurn): StoredTurn['evidence'][number] {
  return turn.evidence.reduce((best, e) => (e.score > best.score ? e : best));
}

let dir: string;
let store: string;

beforeAll(async () => {
  dir = tempDir('vidmem-chat-');
  const video = join(dir, 'colours.mp4');
  store = join(dir, 'store');
  await renderSegments(video, SEGMENTS, { motion: true });
  const ingest = await vidmem(['ingest', video, '--store', store, '--model', 'palette', '--json']);
  expect(ingest.code, ingest.stderr).toBe(0);
});

describe('follow-up questions', () => {
  const red = { query: 'When is it red?', evidence: [
    { videoId: 1, start: 0, end: 6, score: 0.41 },
    { videoId: 1, start: 24, end: 30, score: 0.2 },
  ] };

  it('recognizes temporal cues, and no false ones', () => {
    for (const q of ['and after that?', 'What happens next?', 'then what', 'and later?', 'what comes after?', 'And then?']) expect(temporalCue(q), q).toBe('after');
    for (const q of ['and before that?', 'what happened earlier', 'before?']) expect(temporalCue(q), q).toBe('before');
    for (const q of ['When is it red?', 'is red next to blue?', 'what happens after the red part starts', 'the later half']) expect(temporalCue(q), q).toBeUndefined();
  });

  it('continues from the best-scoring moment of the previous answer, with the topic it was about', () => {
    expect(planTurn('and after that?', red)).toEqual({
      query: 'When is it red? and after that?',
      continuation: { direction: 'after', anchor: red.evidence[0] },
    });
  });

  it('refines the topic after "and", replaces it after "what about", and leaves new questions alone', () => {
    expect(planTurn('and on the left?', red)).toEqual({ query: 'When is it red? and on the left?' });
    expect(planTurn('what about blue?', red)).toEqual({ query: 'what about blue?' });
    expect(planTurn('white at the top', red)).toEqual({ query: 'white at the top' });
    expect(planTurn('and after that?', undefined)).toEqual({ query: 'and after that?' });
    expect(planTurn('and after that?', { query: 'hello', evidence: [] })).toEqual({ query: 'hello and after that?' });
  });
});

describe('chat history in the store', () => {
  it('keeps turns with their evidence, returns the latest ones oldest first, and refuses bad ones', () => {
    const history = MemoryStore.open(join(tempDir('vidmem-chat-store-'), 'store'));
    try {
      const video = history.videos.begin({ path: '/v.mp4', contentHash: 'h', durationSec: 60, fps: 25, width: 64, height: 48, settings: {} });
      const evidence = (i: number) => Array.from({ length: i % 3 }, (_, k) => ({ videoId: video.id, start: i * 10 + k, end: i * 10 + k + 1, score: 0.5 - k / 10 }));
      // A session comes into being with its first turn.
      const first = history.chats.addTurn({ videoId: video.id }, { question: 'q0', query: 'q0', answer: 'a0', decoder: 'grounded', evidence: evidence(0) });
      const session = history.chats.session(first.sessionId)!;
      expect(session).toMatchObject({ videoId: video.id, turns: 1, firstQuestion: 'q0' });
      for (let i = 1; i < 5; i++) {
        history.chats.addTurn(session.id, { question: `q${i}`, query: `q${i}`, answer: `a${i}`, decoder: 'grounded', evidence: evidence(i) });
      }
      const last = history.chats.turns(session.id, 3);
      expect(last.map((t) => t.question)).toEqual(['q2', 'q3', 'q4']);
      expect(last[0]!.evidence.map((e) => [e.start, e.score])).toEqual([[20, 0.5], [21, 0.4]]);
      expect(last[1]!.evidence).toEqual([]);
      expect(last[2]!.evidence).toEqual([{ videoId: video.id, start: 40, end: 41, score: 0.5 }]);
      expect(history.chats.turns(session.id)).toHaveLength(5);
      expect(history.chats.session(session.id)!.turns).toBe(5);
      const bad = { question: 'q', query: 'q', answer: 'a', decoder: 'grounded' };
      expect(() => history.chats.addTurn(session.id + 1, { ...bad, evidence: [] })).toThrow(StoreError);
      expect(() => history.chats.addTurn(session.id, { ...bad, evidence: [{ videoId: video.id, start: 5, end: 2, score: 1 }] })).toThrow(/bad time span/);
      expect(() => history.chats.addTurn({ videoId: video.id + 1 }, { ...bad, evidence: [] })).toThrow(/has no video/);
      expect(history.chats.sessions()).toHaveLength(1);
      expect(history.chats.turns(session.id)).toHaveLength(5);
    } finally {
      history.close();
    }
  });
});

describe('vidmem chat with the built-in answerer', () => {
  const env = { VIDMEM_LLM_URL: '' };

  it('answers with the moments and their times, and follows up from the last answer', async () => {
    const result = await vidmem(['chat', '--store', store, '--video', '1'], { env, input: 'When is it red?\n\nand after that?\n/exit\nmagenta\n' });
    expect(result.code, result.stderr).toBe(0);
    const id = sessionId(result.stdout);
    expect(result.stdout).toMatch(/^new chat about video 1 \(colours\.mp4\); it is saved with its first answer$/m);
    expect(id).toBeGreaterThan(0);
    expect(result.stdout).toMatch(/The moment that matches "When is it red\?" is \[00:00–00:0\d\] colours\.mp4/);
    const turns = storedTurns(store, id);
    // Blank lines are skipped and /exit ends the session before "magenta".
    expect(turns.map((t) => t.question)).toEqual(['When is it red?', 'and after that?']);
    expect(turns[0]!.decoder).toBe('grounded');
    const anchor = anchorOf(turns[0]!);
    for (const e of turns[1]!.evidence) expect(e.start).toBeGreaterThanOrEqual(anchor.end);
    expect(result.stdout).toContain(`[${formatTimestamp(turns[1]!.evidence[0]!.start)}–`);
  });

  it('with --explain, shows that a follow-up was selected along the timeline', async () => {
    const result = await vidmem(['chat', '--store', store, '--explain'], { env, input: 'When is it red?\nand after that?\n' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Moment question: 1 of \d+ candidate clips kept/m);
    expect(result.stdout).toMatch(/^Follow-up along the timeline: the \d+ clips next to the previous answer's moment/m);
    expect(result.stdout).toMatch(/ timeline .* comes right after the previous answer's moment 00:00–00:0\d of video 1$/m);
  });

  it('refuses an unknown session, and a --video that is not the session\'s, in one line', async () => {
    const unknown = await vidmem(['chat', '--store', store, '--session', '999'], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^vidmem: store .* has no chat session 999\n$/);
    const fresh = await vidmem(['chat', '--store', store], { env, input: 'red\n' });
    const other = await vidmem(['chat', '--store', store, '--session', String(sessionId(fresh.stdout)), '--video', '1'], { env });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^vidmem: chat session \d+ is about every video in the store; leave out --video, or start a new session\n$/);
  });

  it('lists the sessions to resume, most recent first, with what each began with', async () => {
    const started = await vidmem(['chat', '--store', store, '--video', '1'], { env, input: 'magenta at the top\n' });
    const id = sessionId(started.stdout);
    const listed = await vidmem(['chat', '--list', '--store', store], { env });
    expect(listed.code, listed.stderr).toBe(0);
    const [heading, ...lines] = listed.stdout.trim().split('\n');
    expect(heading).toBe(`chat sessions in ${store}, most recent first (resume one with --session ID):`);
    expect(lines[0]).toMatch(new RegExp(`^ +${id}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC  about video 1 \\(colours\\.mp4\\), 1 turn, began with "magenta at the top"$`));
    const db = new Database(join(store, 'vidmem.db'), { readonly: true });
    const ids = db.prepare('SELECT id FROM chat_sessions ORDER BY updated_at DESC, id DESC').pluck().all();
    db.close();
    expect(lines.map((line) => Number(line.trim().split(' ')[0]))).toEqual(ids);
    // A session is kept from its first answer on: none is empty.
    expect(lines.filter((line) => /, 0 turns/.test(line))).toEqual([]);

    const both = await vidmem(['chat', '--list', '--session', String(id), '--store', store], { env });
    expect(both.code).toBe(2);
    expect(both.stderr).toBe("error: option '--list' cannot be used with option '--session <id>'\n");
  });
});

describe('vidmem chat with an OpenAI-compatible server', () => {
  let server: Server;
  let url: string;
  const requests: Array<{ messages: Array<{ role: string; content: unknown }> }> = [];

  beforeAll(async () => {
    // Answers by quoting the first memory it was given, the way a grounded model cites.
    server = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      const request = JSON.parse(body);
      requests.push(request);
      const user = request.messages.at(-1).content;
      const text = typeof user === 'string' ? user : user.find((p: { type: string }) => p.type === 'text').text;
      const cited = /^1\. (\[[^\]]+\])/m.exec(text)?.[1] ?? 'nothing';
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const piece of ['It happens ', `at ${cited}.`]) {
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`);
      }
      res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  const env = () => ({ VIDMEM_LLM_MODEL: 'test-vlm', VIDMEM_LLM_URL: url });

  it('answers with citations, follows up on the earlier turn, persists the session and resumes it', async () => {
    const first = await vidmem(['chat', '--store', store], { env: env(), input: 'When is it red?\nand after that?\n' });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    const id = sessionId(first.stdout);
    expect(first.stdout).toMatch(/^It happens at \[00:00–00:0\d\]\.$/m);

    const turns = storedTurns(store, id);
    expect(turns.map((t) => t.question)).toEqual(['When is it red?', 'and after that?']);
    expect(turns[0]!.decoder).toBe(`test-vlm at ${url}`);
    // The follow-up was selected with the question it follows, and from the time right after its answer.
    expect(turns[1]!.query).toBe('When is it red? and after that?');
    const anchor = anchorOf(turns[0]!);
    expect(anchor.start).toBe(0);
    expect(turns[1]!.evidence.length).toBeGreaterThan(0);
    for (const e of turns[1]!.evidence) expect(e.start).toBeGreaterThanOrEqual(anchor.end);
    expect(turns[1]!.evidence[0]!.start).toBeLessThan(anchor.end + 4);
    expect(turns[1]!.answer).toMatch(/^It happens at \[00:0\d–00:\d\d\]\.$/);

    // The LLM saw the memories with images, and the first turn as history of the second.
    expect(requests).toHaveLength(2);
    const followUp = requests[1]!.messages;
    expect(followUp.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(followUp[1]!.content).toBe('When is it red?');
    expect(followUp[2]!.content).toBe(turns[0]!.answer);
    const parts = followUp[3]!.content as Array<{ type: string; text?: string; image_url?: { url: string } }>;
    expect(parts[0]!.text).toContain('Question: and after that?');
    expect(parts.some((p) => p.image_url?.url.startsWith('data:image/jpeg;base64,'))).toBe(true);

    // Resumed: the earlier turns are shown, and a new follow-up continues from the last answer.
    const resumed = await vidmem(['chat', '--store', store, '--session', String(id), '--no-images'], { env: env(), input: 'and after that?\n' });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`chat session ${id}, about every video in the store, 2 earlier turns`);
    expect(resumed.stdout).toContain('  you: When is it red?\n  vidmem: It happens at [00:00');
    expect(resumed.stdout).toContain('  you: and after that?\n');
    const after = storedTurns(store, id);
    expect(after).toHaveLength(3);
    const previous = anchorOf(after[1]!);
    for (const e of after[2]!.evidence) expect(e.start).toBeGreaterThanOrEqual(previous.end);
    expect(requests[2]!.messages).toHaveLength(1 + 4 + 1);
    expect(JSON.stringify(requests[2])).not.toContain('image_url');
  });

  it('keeps going after a failed turn, records nothing for it, and exits non-zero', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const dead = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/v1`;
    probe.close();
    await once(probe, 'close');
    const result = await vidmem(['chat', '--store', store, '--llm', dead], { env: env(), input: 'When is it red?\nwhite at the top\n' });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(new RegExp(`^vidmem: cannot reach the LLM at ${dead}/chat/completions: connection refused \\(gave up after 3 attempts\\)$`));
    // No answer, no session: a chat whose every turn failed leaves nothing behind.
    expect(result.stdout).not.toMatch(/saved as chat session/);
    const db = new Database(join(store, 'vidmem.db'), { readonly: true });
    const sessions = db.prepare("SELECT count(*) FROM chat_sessions s WHERE NOT EXISTS (SELECT 1 FROM chat_turns t WHERE t.session_id = s.id)").pluck().get();
    db.close();
    expect(sessions).toBe(0);
  });
});

describe('Ctrl-C in a chat fed by a pipe', () => {
  it('stops the answer being streamed, records nothing for it, and the chat goes on', async () => {
    // An LLM that starts an answer and then takes its time with the rest.
    const slow = createServer(async (req, res) => {
      for await (const _ of req);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'It is ' }, finish_reason: null }] })}\n\n`);
      setTimeout(() => res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'late.' }, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`), 3000);
    });
    slow.listen(0, '127.0.0.1');
    await once(slow, 'listening');
    const llm = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/v1`;
    try {
      const child = spawn(process.execPath, [BIN, 'chat', '--store', store, '--llm', llm], {
        env: { ...process.env, VIDMEM_LLM_MODEL: 'slow' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
      child.stdin.write('When is it red?\n');
      for (let i = 0; i < 200 && !stdout.includes('It is '); i++) await sleep(25);
      child.kill('SIGINT');
      for (let i = 0; i < 200 && !stdout.includes('(answer stopped; not recorded)'); i++) await sleep(25);
      child.stdin.end();
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stdout).toContain('(answer stopped; not recorded)');
      expect(stdout).not.toContain('saved as chat session');
      expect(code).toBe(0);
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });
});
