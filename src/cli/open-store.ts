import { MemoryStore, type OpenOptions } from '../../storage/memory-store.js';

/** A store for a command, saying so on stderr when it has to be upgraded first: that can take minutes. */
export function openStore(dir: string, options: Omit<OpenOptions, 'onUpgrade'> = {}): MemoryStore {
  return MemoryStore.open(dir, {
    ...options,
    onUpgrade: ({ from, to }) =>
      process.stderr.write(`upgrading store ${dir} from schema ${from} to ${to} and rebuilding its index (once; minutes for millions of clips)…\n`),
  });
}
