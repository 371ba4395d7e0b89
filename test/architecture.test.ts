/**
 * The dependency rule of DESIGN.md, read off every source file's imports (static, re-exports and
 * dynamic ones): front ends → pipelines/ → blocks (src/<stage>, storage/, models/) → src/core,
 * which imports nothing of the project. A block imports only its own folder and the vocabulary;
 * blocks meet in pipelines/. The examples use the library as a user would, through src/index.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const FRONT_ENDS = ['src/cli', 'src/server', 'src/mcp'];

type Layer = 'core' | 'block' | 'pipelines' | 'front end' | 'library entry' | 'example';

interface Place {
  readonly layer: Layer;
  /** The folder whose files may import each other freely. */
  readonly home: string;
}

function place(file: string): Place {
  if (file === 'src/index.ts') return { layer: 'library entry', home: 'src/index.ts' };
  if (file.startsWith('examples/')) return { layer: 'example', home: file };
  if (file.startsWith('src/core/')) return { layer: 'core', home: 'src/core' };
  if (file.startsWith('pipelines/')) return { layer: 'pipelines', home: 'pipelines' };
  const frontEnd = FRONT_ENDS.find((folder) => file.startsWith(`${folder}/`));
  if (frontEnd) return { layer: 'front end', home: frontEnd };
  if (file.startsWith('storage/') || file.startsWith('models/')) return { layer: 'block', home: file.split('/')[0]! };
  const stage = file.match(/^src\/([^/]+)\//)?.[1];
  if (stage) return { layer: 'block', home: `src/${stage}` };
  throw new Error(`${file} lies outside the folders the dependency rule knows`);
}

/** Which layers a layer may import, besides its own folder. */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  core: [],
  block: ['core'],
  pipelines: ['block', 'core'],
  'front end': ['pipelines', 'core'],
  'library entry': ['pipelines', 'core'],
  example: ['library entry'],
};

/** The command line starts the other front ends (`vidmem serve`, `vidmem mcp`): the one arrow between front ends. */
function launches(from: string, to: string): boolean {
  return from === 'src/cli' && FRONT_ENDS.includes(to) && to !== 'src/cli';
}

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** Every project file `file` imports, by the specifier written and the file it names. */
function projectImports(file: string, text: string): Array<{ specifier: string; target: string }> {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => ({ specifier, target: relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\.js$/, '.ts') }));
}

function violations(files: readonly string[], read: (file: string) => string): string[] {
  const found: string[] = [];
  for (const file of files) {
    const from = place(file);
    for (const { specifier, target } of projectImports(file, read(file))) {
      const to = place(target);
      if (to.home === from.home || ALLOWED[from.layer].includes(to.layer) || launches(from.home, to.home)) continue;
      found.push(`${file} imports '${specifier}': ${from.layer} (${from.home}) may not import ${to.layer} (${to.home})`);
    }
  }
  return found;
}

describe('the dependency rule', () => {
  it('holds for every import of every source file', () => {
    const files = [...sources('src'), ...sources('pipelines'), ...sources('storage'), ...sources('models'), ...sources('examples')];
    expect(files.length).toBeGreaterThan(50);
    expect(violations(files, (file) => readFileSync(join(ROOT, file), 'utf8'))).toEqual([]);
  });

  it('names the file and the import that break it, dynamic and type-only imports too', () => {
    const wrong: Record<string, string> = {
      'src/selection/explain.ts': "import { formatRange } from '../cli/format.js';",
      'storage/index-cache.ts': "import type { Candidate } from '../src/selection/score-candidates.js';",
      'src/core/config.ts': "const { x } = await import('../../pipelines/vidmem.js');",
      'src/cli/commands/ask.ts': "import { selectMemories } from '../../selection/select-memories.js';",
      'examples/ask.ts': "import { MemoryStore } from '../storage/memory-store.js';",
      'src/encoders/clip-encoder.ts': "import { normalize } from '../core/vector-math.js';\nimport { batchFrames } from './batch-frames.js';",
    };
    expect(violations(Object.keys(wrong), (file) => wrong[file]!)).toEqual([
      "src/selection/explain.ts imports '../cli/format.js': block (src/selection) may not import front end (src/cli)",
      "storage/index-cache.ts imports '../src/selection/score-candidates.js': block (storage) may not import block (src/selection)",
      "src/core/config.ts imports '../../pipelines/vidmem.js': core (src/core) may not import pipelines (pipelines)",
      "src/cli/commands/ask.ts imports '../../selection/select-memories.js': front end (src/cli) may not import block (src/selection)",
      "examples/ask.ts imports '../storage/memory-store.js': example (examples/ask.ts) may not import block (storage)",
    ]);
  });
});
