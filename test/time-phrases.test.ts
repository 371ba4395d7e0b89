import { describe, expect, it } from 'vitest';
import { timePhrase } from '../src/selection/time-phrases.js';

const NOW = Date.parse('2026-12-03T15:30:00Z') / 1000;

describe('a question that names its time', () => {
  it.each([
    ['when did someone walk by in the last 5 minutes?', 'when did someone walk by?', 300],
    ['was there a car during the past hour', 'was there a car', 3600],
    ['red over the last two days', 'red', 2 * 86_400],
    ['What happened in the last 30 seconds', 'What happened', 30],
    ['anything at the door within the last 1.5 hours?', 'anything at the door?', 5400],
  ])('%j asks %j of a window ending now', (question, rest, seconds) => {
    expect(timePhrase(question, NOW)).toEqual({ question: rest, within: { from: NOW - seconds, to: NOW } });
  });

  it('"today" runs from local midnight', () => {
    const { question, within } = timePhrase('who came today?', NOW);
    const midnight = new Date(NOW * 1000);
    midnight.setHours(0, 0, 0, 0);
    expect({ question, within }).toEqual({ question: 'who came?', within: { from: midnight.getTime() / 1000, to: NOW } });
  });

  it('leaves a question without a time as it is, "the last slide" included', () => {
    expect(timePhrase('what is on the last slide?', NOW)).toEqual({ question: 'what is on the last slide?' });
    expect(timePhrase('when is it red?', NOW)).toEqual({ question: 'when is it red?' });
  });
});
