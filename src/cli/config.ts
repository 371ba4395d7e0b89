import { readConfig, type Config } from '../core/config.js';

let config: Config | undefined;

/** The configuration, read on first use so that `--help` never fails on a bad variable. */
export function cliConfig(): Config {
  config ??= readConfig();
  return config;
}
