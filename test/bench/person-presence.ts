/**
 * Precision and recall of "person present" per clip: the labelled files of person-labels.ts
 * ingested through the real CLI with `--detect on`, each clip's detector text ("5 person, 1 car")
 * against the label of the same stretch of the file.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { MemoryStore } from '../../storage/memory-store.js';
import { runCli } from './child-process.js';
import { labelledPresent, PERSON_LABELS } from './person-labels.js';

export interface PresenceResult {
  readonly clipSeconds: number;
  readonly clips: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
  /** The clips it got wrong: file, time, what was labelled, what the detector said. */
  readonly wrong: readonly string[];
}

export async function personPresence(media: string, work: string, clipSeconds: number): Promise<PresenceResult> {
  const store = join(work, `presence-${clipSeconds}s`);
  rmSync(store, { recursive: true, force: true });
  const counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const wrong: string[] = [];
  let clips = 0;
  for (const labels of PERSON_LABELS) {
    const ingest = await runCli(labels.file, ['ingest', join(media, labels.file), '--store', store, '--model', 'palette', '--detect', 'on', '--clip-seconds', String(clipSeconds), '--json']);
    const { videoId } = JSON.parse(ingest.stdout) as { videoId: number };
    const opened = MemoryStore.open(store, { readonly: true });
    const refs = opened.videos.clipsOf(videoId);
    const texts = opened.videos.clipTexts(refs.map((c) => c.clipId));
    opened.close();
    for (const clip of refs) {
      const said = (texts.get(clip.clipId) ?? []).filter((t) => t.channel === 'detector').map((t) => t.text).join('; ');
      const found = /\b\d+ person\b/.test(said);
      const present = labelledPresent(labels, clip.start, clip.end);
      clips += 1;
      if (present && found) counts.tp += 1;
      else if (found) counts.fp += 1;
      else if (present) counts.fn += 1;
      else counts.tn += 1;
      if (present !== found) {
        wrong.push(`${labels.file} ${clip.start.toFixed(1)}–${clip.end.toFixed(1)} s: labelled ${present ? `present (${labels.note})` : 'absent'}, detector said ${said ? `"${said}"` : 'nothing'}`);
      }
    }
  }
  return { clipSeconds, clips, ...counts, wrong };
}
