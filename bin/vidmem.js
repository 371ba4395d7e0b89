#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('vidmem: not built yet; run `npm install` (or `npm run build`) in the project folder first\n');
  process.exit(1);
}
await import(entry.href);
