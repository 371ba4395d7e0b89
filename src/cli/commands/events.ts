import { Command } from 'commander';
import { alertPayload } from '../../../pipelines/alert-payload.js';
import { describeAlert } from '../alert-lines.js';
import { positiveInteger, storeOption } from '../options.js';

async function listEvents(flags: { store?: string; json: boolean; rule?: number; last?: number }): Promise<void> {
  const { withApp } = await import('../app.js');
  await withApp({ store: flags.store }, 'read', async (app) => {
    const events = app.alertEvents({ ...(flags.rule !== undefined ? { ruleId: flags.rule } : {}), ...(flags.last !== undefined ? { limit: flags.last } : {}) });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ events: events.map(alertPayload) })}\n`);
      return;
    }
    if (events.length === 0) process.stdout.write('no events yet\n');
    for (const event of events) process.stdout.write(`${describeAlert(event)}\n`);
  });
}

export function eventsCommand(): Command {
  return new Command('events')
    .description('the events the standing questions raised, the latest first')
    .addOption(storeOption())
    .option('--rule <id>', "only this rule's events", positiveInteger('--rule'))
    .option('--last <n>', 'only the latest n', positiveInteger('--last'))
    .option('--json', 'print {"events":[…]} with ISO 8601 times for live sources', false)
    .action(listEvents);
}
