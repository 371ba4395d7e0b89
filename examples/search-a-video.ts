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
import { openVidmem, readConfig, renderSampleVideo } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vidmem-example-'));
const video = process.argv[2] ?? join(dir, 'sample.mp4');
const query = process.argv[3] ?? 'blue on the left';
const config = readConfig();
if (!process.argv[2]) {
  await renderSampleVideo(video, [
    { seconds: 8, layout: { full: 'red' } },
    { seconds: 8, layout: { left: 'blue', right: 'white' } },
    { seconds: 8, layout: { full: 'yellow' } },
  ], config, { motion: true });
}

const app = openVidmem(join(dir, 'store'), { config, model: { model: 'palette' } });
try {
  const done = await lastValueFrom(app.ingest(video));
  console.log(`${video}: ${done.type === 'done' ? done.clips : '?'} clips in ${app.storeDir}`);
  for (const moment of await app.search(query, { top: 3 })) {
    console.log(`"${query}": ${moment.start.toFixed(1)}–${moment.end.toFixed(1)} s, score ${moment.score.toFixed(3)}`);
  }
} finally {
  await app.close();
}
