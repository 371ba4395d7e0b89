// media-captions' own declarations re-export with extensionless paths, which NodeNext resolution
// cannot follow (its `parseText` comes out missing); this is the part of its API vidmem uses.
declare module 'media-captions' {
  export interface VTTCue {
    readonly startTime: number;
    readonly endTime: number;
    readonly text: string;
  }
  export interface ParseCaptionsOptions {
    readonly type?: 'vtt' | 'srt' | 'ssa' | 'ass';
    /** Throw on the first fault instead of skipping what cannot be read. */
    readonly strict?: boolean;
  }
  export function parseText(text: string, options?: ParseCaptionsOptions): Promise<{ readonly cues: VTTCue[] }>;
}
