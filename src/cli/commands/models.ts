import { Command, Option } from 'commander';
import { DEFAULTS, DTYPES, type Dtype } from '../../core/config.js';
import { UserError } from '../../core/errors.js';
import type { CachedModel, ModelLibrary } from '../../../pipelines/model-library.js';
import { formatMegabytes } from '../format.js';

async function library(): Promise<ModelLibrary> {
  const [{ ModelLibrary }, { cliConfig }] = await Promise.all([import('../../../pipelines/model-library.js'), import('../app.js')]);
  return new ModelLibrary(cliConfig());
}

function describeDtypes(model: CachedModel): string {
  if (model.dtypes.length === 0) return 'no ONNX files yet';
  return model.dtypes
    .map(({ dtype, missing }) => (missing.length === 0 ? dtype : `${dtype} (missing ${missing.join(', ')})`))
    .join(', ');
}

function listCommand(): Command {
  return new Command('list')
    .description('list the models in the cache: size, precisions held, complete or not')
    .option('--json', 'print {"cache":…,"models":[…]}', false)
    .action(async (flags: { json: boolean }) => {
      const models = await library();
      const cached = await models.list();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ cache: models.cacheDir, models: cached })}\n`);
        return;
      }
      process.stdout.write(`model cache ${models.cacheDir}\n`);
      if (cached.length === 0) process.stdout.write(`no models yet (vidmem models pull ${DEFAULTS.model})\n`);
      for (const model of cached) {
        const state = model.complete ? 'complete' : model.partial.length ? `interrupted download of ${model.partial.join(', ')}` : 'incomplete';
        process.stdout.write(`${model.name.padEnd(36)} ${formatMegabytes(model.bytes).padStart(10)}  ${describeDtypes(model)}  [${state}]\n`);
      }
    });
}

function pullCommand(): Command {
  return new Command('pull')
    .description('download a model into the cache (resuming an interrupted download), or generate a built-in one')
    .argument('[name]', 'Hugging Face repo id or built-in name', DEFAULTS.model)
    .addOption(new Option('--dtype <dtype>', 'which precision of the ONNX files').choices(DTYPES).default(DEFAULTS.dtype))
    .action(async (name: string, flags: { dtype: Dtype }) => {
      const { modelEvents } = await import('../app.js');
      const { model, bytes } = await (await library()).pull(name, flags.dtype, modelEvents(false));
      process.stdout.write(`${model.name}: ready in ${model.folder}${bytes !== undefined ? ` (${formatMegabytes(bytes)})` : ''}\n`);
    });
}

function verifyCommand(): Command {
  return new Command('verify')
    .description("re-hash a cached model's files against the sha256s recorded when they were downloaded")
    .argument('[names...]', 'models to verify (default: every cached model)')
    .action(async (names: string[]) => {
      const results = await (await library()).verify(names);
      if (results.length === 0) process.stdout.write('no models in the cache\n');
      let bad = 0;
      for (const { model, checks } of results) {
        const failed = checks.filter((check) => !check.ok);
        bad += failed.length;
        process.stdout.write(`${model.name}: ${failed.length === 0 ? `${checks.length} files ok` : `${failed.length} of ${checks.length} files damaged`}\n`);
        for (const check of failed) process.stdout.write(`  ${check.file}: ${check.problem}\n`);
      }
      if (bad > 0) {
        throw new UserError(`${bad} damaged file${bad === 1 ? '' : 's'}; remove the model (vidmem models rm NAME) and pull it again`);
      }
    });
}

function rmCommand(): Command {
  return new Command('rm')
    .description('delete a model from the cache')
    .argument('<names...>', 'models to delete')
    .action(async (names: string[]) => {
      const models = await library();
      for (const name of names) {
        const ref = await models.remove(name);
        process.stdout.write(`removed ${ref.name} (${ref.folder})\n`);
      }
    });
}

export function modelsCommand(): Command {
  return new Command('models')
    .addCommand(listCommand())
    .addCommand(pullCommand())
    .addCommand(verifyCommand())
    .addCommand(rmCommand());
}
