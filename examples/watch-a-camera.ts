/**
 * Watch a live source through the library API, ask about the last minute, and see the gap when
 * the source goes away:
 *
 *   npm run build && node dist/examples/watch-a-camera.js [rtsp://… | http://… | file]
 *
 * Without arguments it renders a sample video and plays it at its own pace as a camera would
 * send it; when it ends, the source is lost, and the watch stops there. The built-in palette
 * model keeps it offline.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, Subject, tap } from 'rxjs';
import { liveSource, openVidmem, readConfig, renderSampleVideo } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vidmem-example-'));
const config = readConfig();
let where = process.argv[2];
if (!where) {
  where = join(dir, 'camera.mp4');
  await renderSampleVideo(where, [{ seconds: 6, layout: { full: 'red' } }, { seconds: 6, layout: { left: 'blue', right: 'white' } }], config, { motion: true });
}

/** UTC seconds as a time of day, UTC. */
const clock = (seconds: number) => new Date(seconds * 1000).toISOString().slice(11, 19);

const app = openVidmem(join(dir, 'store'), { config, model: { model: 'palette' } });
try {
  const stop$ = new Subject<void>();
  const watching = app.watch([liveSource('door', where, !process.argv[2])], { stop$ }).pipe(
    tap((event) => {
      if (event.type === 'clip') console.log(`clip ${clock(event.start)}–${clock(event.end)} UTC`);
      if (event.type === 'gap') {
        console.log(`lost: ${event.reason}`);
        stop$.next();
      }
    }),
  );
  await lastValueFrom(watching);
  for (const moment of await app.search('blue on the left in the last minute', { top: 1 })) {
    console.log(`blue on the left: ${clock(moment.startedAt! + moment.start)} UTC, score ${moment.score.toFixed(3)}`);
  }
  for (const source of app.sources()) console.log(`${source.name}: ${source.clips} clips, ${source.gaps.length} gap (${source.gaps.map((g) => g.reason).join(', ')})`);
} finally {
  await app.close();
}
