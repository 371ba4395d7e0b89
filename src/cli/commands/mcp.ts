import { Command } from 'commander';
import type { AppFlags } from '../app.js';
import { addDecoderOptions, addModelOptions, STORE_MODEL_HELP, storeOption } from '../options.js';

/** Runs until the client closes standard input; stdout carries the protocol, so notices go to stderr only. */
async function mcp(flags: AppFlags): Promise<void> {
  const [{ withApp }, { createMcpServer }, { StdioServerTransport }] = await Promise.all([
    import('../app.js'), import('../../mcp/server.js'), import('@modelcontextprotocol/sdk/server/stdio.js'),
  ]);
  await withApp(flags, 'read', async (app) => {
    const server = createMcpServer(app);
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
      transport.onclose = resolve;
      process.stdin.once('end', resolve);
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    await server.connect(transport);
    process.stderr.write(`vidmem: MCP server for store ${app.storeDir} on standard input and output\n`);
    await closed;
    await server.close();
  }, { quiet: true, create: false });
}

export function mcpCommand(): Command {
  return addDecoderOptions(addModelOptions(new Command('mcp'), STORE_MODEL_HELP))
    .addOption(storeOption())
    .addHelpText(
      'after',
      '\nAn MCP server on standard input and output, for LLM agents: tools search_moments, ask, list_videos,\n' +
        'list_sources, list_events and get_keyframe over the store, read-only. Register it with a client as the command\n' +
        '`vidmem mcp --store DIR`, e.g. in its JSON settings:\n' +
        '  { "mcpServers": { "vidmem": { "command": "npx", "args": ["vidmem", "mcp", "--store", "/path/to/store"] } } }',
    )
    .action(mcp);
}
