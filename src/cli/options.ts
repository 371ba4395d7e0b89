/**
 * Options several commands share, spelled and defaulted the same way everywhere. This module is
 * loaded for every command, `--help` included, so it imports nothing heavy.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULTS, DEVICES, DTYPES } from '../core/config.js';

/** A commander parser for a numeric option, with the rule it breaks in its error. */
function numberParser(name: string, accepts: (n: number) => boolean, what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !accepts(n)) throw new InvalidArgumentError(`${name} must be ${what}, got '${value}'`);
    return n;
  };
}

export const positiveNumber = (name: string) => numberParser(name, (n) => Number.isFinite(n) && n > 0, 'a positive number');
export const positiveInteger = (name: string) => numberParser(name, (n) => Number.isInteger(n) && n > 0, 'a positive whole number');
export const nonNegativeNumber = (name: string) => numberParser(name, (n) => Number.isFinite(n) && n >= 0, 'a number ≥ 0');

/** Every command that reads or writes memories takes the same --store; unset, the configuration decides. */
export function storeOption(): Option {
  return new Option('-s, --store <dir>', `store directory (SQLite database, index, thumbnails) (default: $VIDMEM_STORE, else ${DEFAULTS.store})`);
}

/** Commands that read memories can keep to one video, named by the id `vidmem videos` shows. */
export function videoOption(): Option {
  return new Option('--video <id>', 'only this video (see `vidmem videos`)').argParser(positiveInteger('--video'));
}

/** --model's help for commands that read a store: they use the store's own model. */
export const STORE_MODEL_HELP = 'must match the model the store was built with (default: that model)';

/** The options of every command that runs an encoder (ingest, search, ask). */
export function addModelOptions(command: Command, modelHelp: string): Command {
  return command
    .option('-m, --model <name>', modelHelp)
    .addOption(
      new Option('--dtype <dtype>', "precision of the model's ONNX files, where the repo has them; q8 is int8 (default: the store's, else fp32)").choices(DTYPES),
    )
    .addOption(
      new Option('--device <device>', `where the encoder runs: cpu, cuda, webgpu, or auto (the first GPU provider that works, else cpu) (default: $VIDMEM_DEVICE, else ${DEFAULTS.device})`).choices(DEVICES),
    )
    .option('--threads <n>', 'encoder threads (default: onnxruntime decides)', positiveInteger('--threads'))
    .option('--offline', 'never use the network: fail and list the model files that are missing (also VIDMEM_OFFLINE=1 or HF_HUB_OFFLINE=1)', false);
}
