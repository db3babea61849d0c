import { describe, expect, it } from 'vitest';
import { limitHint, limitProblem, scaled } from '../../src/renderer/src/lib/field-limits';
import { settingLimits } from '../../src/shared/setting-limits';

describe('field limits read from the settings schema', () => {
  const limits = settingLimits();

  it('finds the bounds of every numeric setting, through nullable ones', () => {
    expect(limits['chat.temperature']).toEqual({ min: 0, max: 2, integer: false });
    expect(limits['network.maxConcurrentJobs']).toEqual({ min: 1, max: 16, integer: true });
    expect(limits['network.maxPricePer1kTokens']).toEqual({ min: 0, max: 1e9, integer: false });
    expect(limits['models.chatModel']).toBeUndefined();
  });

  it('says what is wrong in the words of the field, not the schema', () => {
    expect(limitProblem('Temperature', 5, limits['chat.temperature'])).toBe('Temperature must be between 0 and 2.');
    expect(limitProblem('Temperature', 1.5, limits['chat.temperature'])).toBeNull();
    expect(limitProblem('Jobs at once', 2.5, limits['network.maxConcurrentJobs'])).toBe(
      'Jobs at once must be a whole number between 1 and 16.',
    );
    // A price has a sanity cap nobody should read about: only "0 or more" is said.
    expect(limitProblem('Price you ask', -1, scaled(limits['network.pricePer1kTokens']))).toBe(
      'Price you ask must be 0 or more.',
    );
  });

  it('writes the hint from the same limits, scaled to what the field shows', () => {
    expect(limitHint(limits['chat.temperature'])).toBe('From 0 to 2.');
    expect(limitHint(scaled(limits['network.auditShare'], 100))).toBe('A whole number from 0 to 100.');
    expect(limitHint(scaled(limits['network.pricePer1kTokens']))).toBe('0 or more.');
  });
});
