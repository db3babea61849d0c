import { describe, expect, it } from 'vitest';
import { errorMessage } from '../../src/renderer/src/lib/error-message';

describe('errors as the UI shows them', () => {
  it('shows the engine’s own words, a door’s refusal included, as they are', () => {
    const own = Object.assign(new Error('report.pdf is encrypted.'), { name: 'ExtractError' });
    expect(errorMessage(own)).toBe('report.pdf is encrypted.');
    const refused = Object.assign(new Error('chat.temperature must be between 0 and 2; 5 is not.'), {
      name: 'InvalidInputError',
    });
    expect(errorMessage(refused)).toBe('chat.temperature must be between 0 and 2; 5 is not.');
    expect(errorMessage('plain text')).toBe('plain text');
  });
});
