/**
 * What a live source is, as a user names it: a stream URL, or a local file played at its own pace
 * (`--realtime`), which ffmpeg is given by its `file:` path like any file.
 */
import { existsSync } from 'node:fs';
import { UserError } from '../src/core/errors.js';
import { fileInput } from '../src/sources/media-input.js';

export type { WatchEvent } from './watch-source.js';

export interface LiveSource {
  readonly name: string;
  readonly url: string;
  /** Play a local file at its own pace, as a camera would send it (for trying things out). */
  readonly realtime?: boolean;
}

const STREAM_URL = /^(rtsp|rtsps|rtmp|http|https|udp|srt|tcp):\/\//i;

export function isStreamUrl(where: string): boolean {
  return STREAM_URL.test(where);
}

export function liveSource(name: string, where: string, realtime: boolean): LiveSource {
  if (name.trim() === '') throw new UserError(`a source needs a name (--name, or NAME=URL)`, 2);
  if (isStreamUrl(where)) return { name, url: where, realtime };
  if (!existsSync(where)) throw new UserError(`${where}: neither a stream URL (rtsp://, http(s)://, udp://, srt://, …) nor a file`, 2);
  if (!realtime) throw new UserError(`${where} is a file: ingest it with \`vidmem ingest\`, or add --realtime to watch it played at its own pace, as a camera would send it`, 2);
  return { name, url: fileInput(where), realtime };
}
