/**
 * Ingest a lecture with the lecture preset and find a slide by its words (no CLI):
 *
 *   npm run build && node dist/examples/search-a-lecture.js [video] ["words"]
 *
 * Without arguments it renders a sample lecture (needs Debian's fonts-dejavu-core). The built-in
 * palette model knows only colours, so what finds the slide is the text OCR read off it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { openVidmem, readConfig, renderSampleLecture, SAMPLE_LECTURE } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vidmem-example-'));
const video = process.argv[2] ?? join(dir, 'photosynthesis.mp4');
const words = process.argv[3] ?? 'where does the Calvin cycle run?';
const config = readConfig();
if (!process.argv[2]) await renderSampleLecture(video, SAMPLE_LECTURE, config);

const app = openVidmem(join(dir, 'store'), { config, model: { model: 'palette' } });
try {
  const done = await lastValueFrom(app.ingest(video, { preset: 'lecture' }));
  if (done.type === 'done') console.log(`${video}: ${done.clips} clips, ${done.textLines} lines of text from ${done.ocrFrames} slides read by OCR in ${done.ocrSec.toFixed(1)} s`);
  const [best] = await app.search(words, { top: 1 });
  if (!best) console.log(`"${words}": no slide found`);
  else {
    console.log(`"${words}": ${best.start.toFixed(1)}–${best.end.toFixed(1)} s, score ${best.score.toFixed(3)}`);
    for (const line of best.text) console.log(`  ${line.channel} at ${line.start.toFixed(1)} s: ${line.text}`);
  }
} finally {
  await app.close();
}
