import { InvalidArgumentError, Option } from 'commander';

/** Every command that reads or writes memories takes the same --store, defaulting the same way. */
export function storeOption(): Option {
  return new Option('-s, --store <dir>', 'store directory (SQLite database, index, thumbnails)')
    .env('VIDMEM_STORE')
    .default('vidmem-store');
}

/** Commands that read memories can keep to one video, named by the id `vidmem videos` shows. */
export function videoOption(): Option {
  return new Option('--video <id>', 'only this video (see `vidmem videos`)').argParser(positiveInteger('--video'));
}

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
