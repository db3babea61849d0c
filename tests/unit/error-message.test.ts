import { describe, expect, it } from 'vitest';
import { errorMessage } from '../../src/renderer/src/lib/error-message';

const refusal = (message: string) => Object.assign(new Error(message), { name: 'InvalidInputError' });

describe('errors as the UI shows them', () => {
  it('puts a schema refusal in words, without the call or the path', () => {
    expect(
      errorMessage(
        refusal(
          'settings.update was given invalid input: chat.temperature: Invalid value: Expected <=2 but received 5',
        ),
      ),
    ).toBe('Temperature must be at most 2.');
    expect(
      errorMessage(
        refusal(
          'library.addSource was given invalid input: path: Invalid length: Expected <=4096 but received 5000; network.maxConcurrentJobs: Invalid integer: Received 1.5',
        ),
      ),
    ).toBe('Path is too long (at most 4096 characters). Max concurrent jobs must be a whole number.');
  });

  it('leaves the engine’s own messages as they are', () => {
    const own = Object.assign(new Error('report.pdf is encrypted.'), { name: 'ExtractError' });
    expect(errorMessage(own)).toBe('report.pdf is encrypted.');
  });
});
