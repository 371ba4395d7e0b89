/**
 * Words people use for what an object detector names: "someone" is a COCO `person`, "a van" a
 * `car` or `truck`. A question's words are widened with these labels so that the detector's text
 * ("3 person, 1 car") is found by the way people ask.
 */
const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  someone: ['person'], somebody: ['person'], anyone: ['person'], anybody: ['person'], people: ['person'], persons: ['person'],
  pedestrian: ['person'], pedestrians: ['person'], man: ['person'], men: ['person'], woman: ['person'], women: ['person'],
  child: ['person'], children: ['person'], kid: ['person'], kids: ['person'], visitor: ['person'], visitors: ['person'],
  vehicle: ['car', 'truck', 'bus', 'motorcycle'], vehicles: ['car', 'truck', 'bus', 'motorcycle'], van: ['car', 'truck'], vans: ['car', 'truck'],
  cars: ['car'], lorry: ['truck'], trucks: ['truck'], bike: ['bicycle', 'motorcycle'], bikes: ['bicycle', 'motorcycle'], cyclist: ['bicycle', 'person'],
  motorbike: ['motorcycle'], dogs: ['dog'], cats: ['cat'], bag: ['backpack', 'handbag', 'suitcase'], luggage: ['suitcase'],
};

/** The detector labels a word stands for; none for a word that names no object. */
export function objectLabels(word: string): readonly string[] {
  return Object.hasOwn(SYNONYMS, word) ? SYNONYMS[word]! : [];
}
