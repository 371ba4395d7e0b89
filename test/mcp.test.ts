/**
 * `vidmem mcp` as an agent reaches it: the SDK's own client starting the command over stdio and
 * calling each tool, on a store of a generated red / blue / green video.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, tempDir } from './helpers/cli.js';
import { colourStore } from './helpers/colour-store.js';

let store: string;
let video: string;
let client: Client;
let transport: StdioClientTransport;
let stderr = '';

/** A tool's JSON answer; a tool error fails the test with its message. */
async function call(name: string, args: Record<string, unknown> = {}): Promise<any> {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  const text = (result.content as Array<{ type: string; text?: string }>).find((c) => c.type === 'text')!;
  return JSON.parse(text.text!);
}

/** A tool error's message. */
async function refusal(name: string, args: Record<string, unknown>): Promise<string> {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError).toBe(true);
  return (result.content as Array<{ text: string }>)[0]!.text;
}

beforeAll(async () => {
  ({ store, video } = await colourStore(tempDir()));
  transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--store', store], stderr: 'pipe' });
  transport.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  client = new Client({ name: 'vidmem-test', version: '1.0.0' });
  await client.connect(transport);
});

afterAll(async () => {
  await client?.close();
});

describe('vidmem mcp', () => {
  it('offers the store as tools, with instructions for the agent', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['ask', 'get_keyframe', 'list_events', 'list_sources', 'list_videos', 'search_moments']);
    expect(tools.find((t) => t.name === 'search_moments')!.inputSchema.required).toEqual(['query']);
    expect(client.getInstructions()).toMatch(/search_moments/);
    expect(stderr).toMatch(/MCP server for store/);
  });

  it('lists the videos and the (no) live sources', async () => {
    expect((await call('list_videos')).videos).toEqual([expect.objectContaining({ id: 1, path: video, status: 'complete', clips: expect.any(Number), source: null })]);
    expect(await call('list_sources')).toEqual({ sources: [] });
  });

  it('lists the events the standing questions raised', async () => {
    expect(await call('list_events')).toEqual({ events: [] });
    expect(await refusal('list_events', { ruleId: 5 })).toMatch(/no alert rule 5|rule 5/);
  });

  it('finds each colour where it is', async () => {
    for (const [colour, from] of [['red', 0], ['blue', 8], ['green', 16]] as const) {
      const [best] = (await call('search_moments', { query: colour, top: 3 })).results;
      expect(best, colour).toMatchObject({ videoId: 1, path: video });
      expect(best.start, colour).toBeGreaterThanOrEqual(from - 1);
      expect(best.end, colour).toBeLessThanOrEqual(from + 9);
    }
  });

  it('answers a question citing the moment, with that moment as evidence', async () => {
    const { answer, evidence } = await call('ask', { question: 'when is it blue?' });
    expect(answer).toMatch(/\[00:(0[89]|1\d)/);
    expect(evidence[0]).toMatchObject({ videoId: 1 });
    expect(evidence[0].start).toBeGreaterThanOrEqual(7);
    expect(evidence[0].end).toBeLessThanOrEqual(17);
  });

  it("hands over a moment's keyframe as a JPEG the agent can look at", async () => {
    const result = await client.callTool({ name: 'get_keyframe', arguments: { videoId: 1, at: 12 } });
    const [image, text] = result.content as Array<{ type: string; data?: string; mimeType?: string; text?: string }>;
    expect(image).toMatchObject({ type: 'image', mimeType: 'image/jpeg' });
    const { channels } = await sharp(Buffer.from(image!.data!, 'base64')).stats();
    const [r, g, b] = channels.map((c) => c.mean);
    expect(b).toBeGreaterThan(r! + 100);
    expect(b).toBeGreaterThan(g! + 100);
    const clip = JSON.parse(text!.text!);
    expect(clip.start).toBeLessThanOrEqual(12);
    expect(clip.end).toBeGreaterThan(12);
  });

  it('says in one line what it cannot do, and keeps serving', async () => {
    expect(await refusal('get_keyframe', { videoId: 99, at: 0 })).toMatch(/has no video 99/);
    expect(await refusal('search_moments', { query: '' })).toMatch(/query/);
    expect(await refusal('ask', { question: 'red?', videoId: 99 })).toMatch(/has no video 99/);
    expect((await call('list_videos')).videos).toHaveLength(1);
  });

  it('ends when the client goes', async () => {
    const pid = transport.pid!;
    await client.close();
    await expect.poll(() => {
      try {
        process.kill(pid, 0);
        return 'running';
      } catch {
        return 'gone';
      }
    }, { timeout: 10_000 }).toBe('gone');
  });
});
