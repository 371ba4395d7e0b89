import { Command } from 'commander';
import type { AlertEventRecord, Vidmem } from '../../../pipelines/vidmem.js';
import { alertPayload } from '../../../pipelines/alert-payload.js';
import { describeAlert } from '../alert-lines.js';
import { positiveInteger, storeOption } from '../options.js';

interface EventsFlags {
  store?: string;
  json: boolean;
  rule?: number;
  last?: number;
  follow: boolean;
}

async function listEvents(flags: EventsFlags): Promise<void> {
  const { withApp } = await import('../app.js');
  await withApp({ store: flags.store }, 'read', async (app) => {
    const events = app.alertEvents({ ...(flags.rule !== undefined ? { ruleId: flags.rule } : {}), ...(flags.last !== undefined ? { limit: flags.last } : {}) });
    if (flags.follow) return follow(app, flags, events);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ events: events.map(alertPayload) })}\n`);
      return;
    }
    if (events.length === 0) process.stdout.write('no events yet\n');
    for (const event of events) process.stdout.write(`${describeAlert(event)}\n`);
  });
}

/**
 * Like `tail -f`: the latest `--last` events oldest first, then each new one as any process
 * writing the store raises it, until Ctrl-C or SIGTERM (exit 0: stopping is what was asked).
 */
async function follow(app: Vidmem, flags: EventsFlags, latest: readonly AlertEventRecord[]): Promise<void> {
  const [{ consume }, { onInterrupt }] = await Promise.all([import('../app.js'), import('../interrupt.js')]);
  const stop = new AbortController();
  const onStop = () => stop.abort();
  process.once('SIGTERM', onStop);
  const oldest = flags.last !== undefined ? latest.at(-1) : undefined;
  const events$ = app.followAlertEvents({ ...(flags.rule !== undefined ? { ruleId: flags.rule } : {}), ...(oldest ? { afterId: oldest.id - 1 } : {}) });
  try {
    await onInterrupt(onStop, () =>
      consume(events$, (event) => process.stdout.write(`${flags.json ? JSON.stringify(alertPayload(event)) : describeAlert(event)}\n`), stop.signal).catch((err: unknown) => {
        if (!stop.signal.aborted) throw err;
      }),
    );
  } finally {
    process.off('SIGTERM', onStop);
  }
}

export function eventsCommand(): Command {
  return new Command('events')
    .description('the events the standing questions raised, the latest first; with --follow, each new one as it is raised')
    .addOption(storeOption())
    .option('--rule <id>', "only this rule's events", positiveInteger('--rule'))
    .option('--last <n>', 'only the latest n (with --follow: shown first, oldest first)', positiveInteger('--last'))
    .option('--follow', 'go on printing events as watches and ingests in any process raise them, until Ctrl-C', false)
    .option('--json', 'print {"events":[…]} with ISO 8601 times for live sources; with --follow one event a line', false)
    .action(listEvents);
}
