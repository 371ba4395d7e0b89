import { InvalidArgumentError, Option } from 'commander';

/** Every command that reads or writes memories takes the same --store, defaulting the same way. */
export function storeOption(): Option {
  return new Option('-s, --store <dir>', 'store directory (SQLite database, index, thumbnails)')
    .env('VIDMEM_STORE')
    .default('vidmem-store');
}

export function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number, got '${value}'`);
    return n;
  };
}

export function positiveInteger(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number, got '${value}'`);
    return n;
  };
}
