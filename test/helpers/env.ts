import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Built-in models are generated into this cache once per machine instead of the user's cache.
process.env.VIDMEM_CACHE ??= join(tmpdir(), 'vidmem-test-cache');
