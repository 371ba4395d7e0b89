import { Command, Option } from 'commander';
import { cacheDir } from '../../../models/cache-dir.js';
import { listCachedModels, removeCachedModel, verifyModel, type CachedModel } from '../../../models/model-cache.js';
import { DEFAULT_DTYPE, DTYPES, type Dtype } from '../../../models/model-files.js';
import { modelRef, resolveModel, type ModelRef } from '../../../models/resolve-model.js';
import { UserError } from '../../errors.js';
import { downloadProgress } from '../download-progress.js';
import { formatMegabytes } from '../format.js';
import { DEFAULT_MODEL } from '../open-model.js';

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
      const cache = cacheDir();
      const models = await listCachedModels(cache);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ cache, models })}\n`);
        return;
      }
      process.stdout.write(`model cache ${cache}\n`);
      if (models.length === 0) process.stdout.write(`no models yet (vidmem models pull ${DEFAULT_MODEL})\n`);
      for (const model of models) {
        const state = model.complete ? 'complete' : model.partial.length ? `interrupted download of ${model.partial.join(', ')}` : 'incomplete';
        process.stdout.write(
          `${model.name.padEnd(36)} ${formatMegabytes(model.bytes).padStart(10)}  ${describeDtypes(model)}  [${state}]\n`,
        );
      }
    });
}

function pullCommand(): Command {
  return new Command('pull')
    .description('download a model into the cache (resuming an interrupted download), or generate a built-in one')
    .argument('[name]', 'Hugging Face repo id or built-in name', DEFAULT_MODEL)
    .addOption(new Option('--dtype <dtype>', 'which precision of the ONNX files').choices(DTYPES).default(DEFAULT_DTYPE))
    .action(async (name: string, flags: { dtype: Dtype }) => {
      if (modelRef(name).source === 'local') throw new UserError(`${name} is a local folder; there is nothing to pull`);
      const progress = downloadProgress(true);
      let model: ModelRef;
      try {
        model = await resolveModel(name, {
          dtype: flags.dtype,
          onProgress: progress.onProgress,
          onGenerate: (builtin, folder) => process.stderr.write(`vidmem: generating built-in model '${builtin}' in ${folder}\n`),
        });
      } finally {
        progress.stop();
      }
      const cached = (await listCachedModels(cacheDir())).find((entry) => entry.folder === model.folder);
      process.stdout.write(`${model.name}: ready in ${model.folder}${cached ? ` (${formatMegabytes(cached.bytes)})` : ''}\n`);
    });
}

function verifyCommand(): Command {
  return new Command('verify')
    .description('re-hash a cached model\'s files against the sha256s recorded when they were downloaded')
    .argument('[names...]', 'models to verify (default: every cached model)')
    .action(async (names: string[]) => {
      const refs = names.length ? names.map((name) => modelRef(name)) : (await listCachedModels(cacheDir())).map((model) => modelRef(model.name));
      if (refs.length === 0) process.stdout.write('no models in the cache\n');
      let bad = 0;
      for (const ref of refs) {
        const checks = await verifyModel(ref);
        const failed = checks.filter((check) => !check.ok);
        bad += failed.length;
        process.stdout.write(`${ref.name}: ${failed.length === 0 ? `${checks.length} files ok` : `${failed.length} of ${checks.length} files damaged`}\n`);
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
      for (const name of names) {
        const ref = modelRef(name);
        await removeCachedModel(ref);
        process.stdout.write(`removed ${ref.name} (${ref.folder})\n`);
      }
    });
}

export function modelsCommand(): Command {
  const command = new Command('models')
    .description('manage the model cache (VIDMEM_CACHE, else $XDG_CACHE_HOME/vidmem): list, pull, verify, rm')
    .addCommand(listCommand())
    .addCommand(pullCommand())
    .addCommand(verifyCommand())
    .addCommand(rmCommand());
  for (const sub of command.commands) sub.exitOverride();
  return command;
}
