/**
 * Ingest one video and search it through the library API (no CLI):
 *
 *   npm run build && node dist/examples/search-a-video.js [video] ["query"]
 *
 * Without arguments it renders a sample video; the built-in palette model keeps it offline.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import {
  DEFAULT_INGEST, findMoments, ingestFile, MemoryStore, openTextEncoder, openVisionEncoder, renderSegments, resolveModel,
  TokenMergeDistiller,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vidmem-example-'));
const video = process.argv[2] ?? join(dir, 'sample.mp4');
const query = process.argv[3] ?? 'blue on the left';
if (!process.argv[2]) {
  await renderSegments(video, [
    { seconds: 8, layout: { full: 'red' } },
    { seconds: 8, layout: { left: 'blue', right: 'white' } },
    { seconds: 8, layout: { full: 'yellow' } },
  ], { motion: true });
}

const model = await resolveModel('palette');
const vision = await openVisionEncoder(model.folder, { name: model.name });
const text = await openTextEncoder(model.folder, { name: model.name });
const store = MemoryStore.open(join(dir, 'store'));
try {
  const context = { store, encoder: vision, distiller: new TokenMergeDistiller(), batchSize: 16 };
  const done = await lastValueFrom(ingestFile(video, context, DEFAULT_INGEST));
  console.log(`${video}: ${done.type === 'done' ? done.clips : '?'} clips in ${join(dir, 'store')}`);
  for (const moment of await findMoments(store, text, query, { top: 3 })) {
    console.log(`"${query}": ${moment.start.toFixed(1)}–${moment.end.toFixed(1)} s, score ${moment.score.toFixed(3)}`);
  }
} finally {
  store.close();
  await vision.dispose();
  await text.dispose();
}
