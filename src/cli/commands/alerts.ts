import { Argument, Command } from 'commander';
import { DEFAULTS, LIMITS } from '../../core/config.js';
import { describeCondition, type AlertRule } from '../../core/alerts.js';
import { formatDuration } from '../../core/time-format.js';
import { MAX_EXAMPLES, type NewAlert } from '../../../pipelines/alert-conditions.js';
import { parseDuration, positiveInteger, ranged, rangeHelp, storeOption } from '../options.js';

interface AddFlags {
  store?: string;
  text?: string;
  image?: string[];
  object?: string;
  confirm?: string;
  sigma?: number;
  minCount?: number;
  minSeconds?: number;
  zone?: string;
  source?: string;
  name?: string;
  cooldown?: number;
  json: boolean;
}

function describeRule(rule: AlertRule): string {
  const scope = rule.source === null ? 'every source and file' : `source ${rule.source}`;
  return `${rule.name}: ${describeCondition(rule.condition)}; ${scope}; cool-down ${formatDuration(rule.cooldownSec)}`;
}

async function addRule(flags: AddFlags): Promise<void> {
  const [{ withApp }, { alertRuleJson }] = await Promise.all([import('../app.js'), import('../../../pipelines/alert-payload.js')]);
  const { store, json, cooldown, image, ...given } = flags;
  const spec: NewAlert = {
    ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
    ...(image !== undefined ? { images: image } : {}),
    ...(cooldown !== undefined ? { cooldownSec: cooldown } : {}),
  };
  await withApp({ store }, 'write', async (app) => {
    const rule = await app.addAlertRule(spec);
    process.stdout.write(json ? `${JSON.stringify(alertRuleJson(rule))}\n` : `added alert rule ${rule.id}: ${describeRule(rule)}\n`);
  }, { quiet: json });
}

async function listRules(flags: { store?: string; json: boolean }): Promise<void> {
  const [{ withApp }, { alertRuleJson }] = await Promise.all([import('../app.js'), import('../../../pipelines/alert-payload.js')]);
  await withApp({ store: flags.store }, 'read', async (app) => {
    const rules = app.alertRules();
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ rules: rules.map(alertRuleJson) })}\n`);
      return;
    }
    if (rules.length === 0) process.stdout.write('no alert rules yet (vidmem alerts add --text "a red car", --image door-open.jpg or --object person adds one)\n');
    for (const rule of rules) process.stdout.write(`${String(rule.id).padStart(4)}  ${describeRule(rule)}\n`);
  });
}

async function removeRules(ids: number[], flags: { store?: string }): Promise<void> {
  const { withApp } = await import('../app.js');
  const { UserError } = await import('../../core/errors.js');
  await withApp({ store: flags.store }, 'write', async (app) => {
    for (const id of ids) {
      try {
        const rule = app.removeAlertRule(id);
        process.stdout.write(`removed alert rule ${id} (${rule.name}); the events it raised are kept\n`);
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        process.stderr.write(`vidmem: ${err.message}\n`);
        process.exitCode = err.exitCode;
      }
    }
  }, { create: false });
}

const CALIBRATION = `
Text and image rules are calibrated per source. Each clip's similarity to the text (the store's
model's text encoder against the clip's picture), or to the example pictures (the mean of their
vectors, seen as the clips' frames are), is compared with the same rule's scores of that source's
own last 120 clips (of that one video, for a file): its robust z-score is
(score − their median) / (1.4826 × their median absolute deviation), the spread taken as at least
0.01. A raw CLIP similarity means something else on every camera and model; a z-score does not, so
one --sigma fits them all. The baseline starts from the clips already stored of the source, so a
restarted watch knows its usual at once; a new source's first 6 clips only teach it.

One appearance raises one event: a rule fires when its value reaches the threshold (--sigma, or
--min-count held for --min-seconds), stays on while it holds (down to half the sigma for text rules),
and ends on the first clip below. A new appearance within the cool-down of the last one's end belongs
to that event. Rules are checked on every clip \`vidmem watch\` and \`vidmem ingest\` store, from
the next clip on; object rules where the detector ran (ingest --detect, the surveillance preset).
An object rule with --zone counts a box when its bottom-centre (where a person stands) is inside
that zone, and its event keeps a snapshot: the frame looked at, with the boxes it counted drawn.
Events: \`vidmem events\`, \`watch --json\`, \`--webhook URL\`.`;

/** `vidmem alerts` and `vidmem alerts list` both list the rules. */
function listing(command: Command): Command {
  return command
    .addOption(storeOption())
    .option('--json', 'print {"rules":[…]}', false)
    .action((_flags: unknown, self: Command) => listRules(self.optsWithGlobals()));
}

export function alertsCommand(): Command {
  const alerts = listing(new Command('alerts').description('standing questions checked on every new clip: add, list, rm'));
  alerts
    .command('add')
    .description('add a rule: --text "a red car" or --image example.jpg (calibrated per source), or --object person [--zone lawn]')
    .addOption(storeOption())
    .option('--text <words>', "alert when clips look like this, far more than the source's usual")
    .option('--image <file>', `alert when clips look like this picture, far more than the source's usual; repeat for up to ${MAX_EXAMPLES} views of one thing (the store must have its model: ingest or watch first)`, (value: string, previous: string[] = []) => [...previous, value])
    .option('--object <name>', 'alert when the object detector sees this: a COCO label (person, car, dog, …) or a word for one (someone, vehicle)')
    .option('--confirm <object>', 'text and image rules: raise only where the object detector also sees this in the clip (a COCO label or a word for one: --text "a red car" --confirm car)')
    .option('--sigma <z>', `text and image rules: robust z-score at which the rule fires${rangeHelp(LIMITS.sigma)} (default: ${DEFAULTS.alerts.sigma})`, ranged('--sigma', LIMITS.sigma))
    .option('--min-count <n>', `object rules: at least this many at once${rangeHelp(LIMITS.minCount)} (default: ${DEFAULTS.alerts.minCount})`, ranged('--min-count', LIMITS.minCount))
    .option('--min-seconds <s>', `object rules: for at least this long${rangeHelp(LIMITS.minSeconds)} (default: ${DEFAULTS.alerts.minSeconds})`, ranged('--min-seconds', LIMITS.minSeconds))
    .option('--zone <name>', 'object rules: only what stands in this zone counts (the zones given to `vidmem watch --zone` or `vidmem ingest --zone`) (default: the whole picture)')
    .option('--source <name>', 'only this live source (default: every source and every file ingested)')
    .option('--name <name>', 'what events call the rule (default: its text, pictures or object)')
    .option('--cooldown <duration>', `a new appearance within this long after an event's end is that event (e.g. 30s, 5m) (default: ${formatDuration(DEFAULTS.alerts.cooldownSec)})`, parseDuration)
    .option('--json', 'print the rule as JSON', false)
    .addHelpText('after', CALIBRATION)
    .action((_flags: unknown, command: Command) => addRule(command.optsWithGlobals()));
  listing(alerts.command('list').description('list the rules'));
  alerts
    .command('rm')
    .description('remove rules; the events they raised are kept')
    .addArgument(new Argument('<id...>', 'rule ids, as `vidmem alerts list` shows them').argParser((id: string, ids: number[] = []) => [...ids, positiveInteger('a rule id')(id)]))
    .addOption(storeOption())
    .action((ids: number[], _flags: unknown, command: Command) => removeRules(ids, command.optsWithGlobals()));
  return alerts;
}
