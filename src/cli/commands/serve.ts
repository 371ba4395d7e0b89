import { Command } from 'commander';
import { DEFAULTS, LIMITS } from '../../core/config.js';
import { UserError } from '../../core/errors.js';
import type { AppFlags } from '../app.js';
import { addDecoderOptions, addModelOptions, ranged, rangeHelp, STORE_MODEL_HELP, storeOption } from '../options.js';

interface ServeFlags extends AppFlags {
  host: string;
  port: number;
  token?: string;
}

async function serve(flags: ServeFlags): Promise<void> {
  const [{ openApp, cliConfig }, { onInterrupt }, { createServer }, { isLoopback }] = await Promise.all([
    import('../app.js'), import('../interrupt.js'), import('../../server/server.js'), import('../../server/access.js'),
  ]);
  const { host, port, token: given, ...appFlags } = flags;
  const token = given ?? cliConfig().serveToken;
  if (!isLoopback(host) && token === undefined) {
    throw new UserError(`--host ${host} reaches beyond this machine: give --token (or VIDMEM_TOKEN) so that only those who know it get in`, 2);
  }
  // Chat sessions and ingests are saved where the store can be written; a read-only store is still served.
  const app = openApp(appFlags, 'write-if-possible', { forClients: true });
  const pageDir = new URL('../../../page/', import.meta.url).pathname;
  const server = await createServer(app, { ...(token !== undefined ? { token } : {}), pageDir });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      process.stderr.write('vidmem: stopping: watched sources commit their open clips…\n');
      try {
        await server.close();
      } finally {
        await app.close();
      }
    })();
    return stopping;
  };
  try {
    const address = await server.http.listen({ host, port });
    process.stderr.write(`vidmem: serving ${app.storeDir} at ${address}/ (the API: ${address}/openapi.json${token !== undefined ? '; every request needs the token' : ''})\n`);
  } catch (err) {
    await stop();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UserError(`port ${port} on ${host} is in use: give another with --port (0 picks a free one)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UserError(`cannot listen on ${host}: not an address of this machine`, 2);
    throw err;
  }
  await onInterrupt(() => void stop(), () =>
    new Promise<void>((resolve) => {
      process.once('SIGTERM', () => void stop());
      server.http.server.once('close', resolve);
    }),
  );
  await stopping;
}

export function serveCommand(): Command {
  return addDecoderOptions(addModelOptions(new Command('serve'), STORE_MODEL_HELP))
    .addOption(storeOption())
    .option('--host <address>', `address to listen on; anything but this machine's own needs --token (default: ${DEFAULTS.serve.host})`, DEFAULTS.serve.host)
    .option('-p, --port <port>', `port to listen on${rangeHelp(LIMITS.port)}; 0 picks a free one (default: ${DEFAULTS.serve.port})`, ranged('--port', LIMITS.port), DEFAULTS.serve.port)
    .option('--token <token>', 'bearer token every request must carry (default: $VIDMEM_TOKEN); required with --host beyond this machine')
    .addHelpText(
      'after',
      '\nThe web page is at http://127.0.0.1:8765/ and the API described at /openapi.json. Runs until stopped\n' +
        '(Ctrl-C or SIGTERM): ingest jobs stop where they are (ingesting the file again resumes it) and\n' +
        'watched sources commit their open clips. Without --token only requests addressed to 127.0.0.1 or\n' +
        'localhost are answered; with it, send `Authorization: Bearer <token>` (or ?access_token= for media).',
    )
    .action(serve);
}
