/**
 * Whether a question asks about one moment or about the whole video. A summary cannot be found by
 * similarity: "what happens in this video" resembles no clip in particular, so such questions are
 * answered from memories spread over the timeline instead.
 */
export type QuestionKind = 'moment' | 'whole-video';

const MEDIA = '(?:video|clip|recording|footage|film|movie|stream|lecture|talk|episode|meeting)';

const WHOLE_VIDEO: readonly RegExp[] = [
  /\b(?:summar(?:y|ies|ise|ize|ising|izing)|overview|recap|synopsis|gist|outline|tl;?dr)\b/,
  new RegExp(`\\bwhat\\s+(?:happens|happened|is\\s+happening|goes\\s+on|went\\s+on|is\\s+going\\s+on)\\s+(?:in|during|throughout)\\s+(?:this|the|that)\\s+${MEDIA}\\b`),
  new RegExp(`\\bwhat\\s+(?:is|was)\\s+(?:this|the|that)\\s+${MEDIA}\\s+about\\b`),
  new RegExp(`\\b(?:describe|explain)\\s+(?:this|the|that)\\s+(?:whole\\s+|entire\\s+)?${MEDIA}\\b`),
  new RegExp(`\\b(?:whole|entire|full)\\s+${MEDIA}\\b`),
  /\b(?:from\s+(?:start|beginning)\s+to\s+(?:finish|end)|beginning\s+to\s+end)\b/,
];

export function questionKind(question: string): QuestionKind {
  const text = question.toLowerCase().replace(/[’`]/g, "'").replace(/\bwhat's\b/g, 'what is');
  return WHOLE_VIDEO.some((pattern) => pattern.test(text)) ? 'whole-video' : 'moment';
}
