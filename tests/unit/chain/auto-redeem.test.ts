import { describe, expect, it } from 'vitest';
import { shouldRedeem, type AutoRedeemPolicy } from '../../../src/core/chain/auto-redeem';

const policy: AutoRedeemPolicy = { enabled: true, gasMultiple: 10, tokensPerNativeCoin: 1000, everyHours: 24 };
const decide = (overrides: Partial<Parameters<typeof shouldRedeem>[0]>) =>
  shouldRedeem({ policy, unredeemedTokens: 1, gasCostNative: 0.0001, hoursSinceLast: 1, ...overrides });

describe('automatic redemption policy', () => {
  it('is off by default and never redeems then', () => {
    expect(decide({ policy: { ...policy, enabled: false }, unredeemedTokens: 1e9, hoursSinceLast: 1e9 })).toBeNull();
  });

  it('redeems once the unredeemed value reaches N times the gas in tokens', () => {
    // gas 0.0001 native × 1000 tokens/native = 0.1 tokens; × 10 = 1 token.
    expect(decide({ unredeemedTokens: 0.99 })).toBeNull();
    expect(decide({ unredeemedTokens: 1 })).toMatch(/≥ 10 × gas/);
  });

  it('without an exchange rate only the timer rule applies', () => {
    const noRate = { ...policy, tokensPerNativeCoin: null };
    expect(decide({ policy: noRate, unredeemedTokens: 1e9 })).toBeNull();
    expect(decide({ policy: noRate, hoursSinceLast: 24 })).toMatch(/24 h/);
  });

  it('has nothing to redeem with nothing unredeemed', () => {
    expect(decide({ unredeemedTokens: 0, hoursSinceLast: 1e9 })).toBeNull();
  });
});
