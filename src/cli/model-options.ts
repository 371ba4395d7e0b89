import { Command, Option } from 'commander';
import { DTYPES } from '../../models/model-files.js';
import { DEVICES } from '../encoders/devices.js';
import { positiveInteger } from './store-option.js';

/**
 * The options of every command that runs an encoder (ingest, search, ask), spelled and defaulted
 * the same way everywhere. Their values land in the fields of open-model's ModelChoice.
 */
/** --model's help for commands that read a store: they use the store's own model. */
export const STORE_MODEL_HELP = 'must match the model the store was built with (default: that model)';

export function addModelOptions(command: Command, modelHelp: string): Command {
  return command
    .option('-m, --model <name>', modelHelp)
    .addOption(
      new Option('--dtype <dtype>', "precision of the model's ONNX files, where the repo has them; q8 is int8 (default: the store's, else fp32)")
        .choices(DTYPES),
    )
    .addOption(
      new Option('--device <device>', 'where the encoder runs: cpu, cuda, webgpu, or auto (the first GPU provider that works, else cpu)')
        .choices(DEVICES)
        .env('VIDMEM_DEVICE')
        .default('cpu'),
    )
    .option('--threads <n>', 'encoder threads (default: onnxruntime decides)', positiveInteger('--threads'))
    .option('--offline', 'never use the network: fail and list the model files that are missing (also VIDMEM_OFFLINE=1 or HF_HUB_OFFLINE=1)', false);
}
