import type { NumberLimit } from '../../../shared/setting-limits';

/** A bound this large means "no upper bound" to a person (prices are capped at 1e9 only as a sanity check). */
const NO_PRACTICAL_MAX = 1e6;

/** Limits as the field shows them: `scale` turns a stored share (0.1) into the percent on screen (10). */
export function scaled(limit: NumberLimit | undefined, scale = 1): NumberLimit | undefined {
  if (!limit) return undefined;
  return {
    min: limit.min === null ? null : limit.min * scale,
    max: limit.max === null || limit.max >= NO_PRACTICAL_MAX ? null : limit.max * scale,
    integer: limit.integer || (scale !== 1 && Number.isInteger(scale)),
  };
}

/** "0 to 2", "1 or more", "a whole number from 1 to 16"; empty without limits. */
export function limitHint(limit: NumberLimit | undefined): string {
  if (!limit) return '';
  const { min, max } = limit;
  const whole = limit.integer ? 'A whole number ' : '';
  if (min !== null && max !== null) return `${whole}${whole ? 'from' : 'From'} ${min} to ${max}.`;
  if (min !== null) return `${whole}${min} or more.`.replace(/^./, (c) => c.toUpperCase());
  if (max !== null) return `${whole}${max} or less.`.replace(/^./, (c) => c.toUpperCase());
  return '';
}

/** What is wrong with `value` for the field called `label`, in words ("Temperature must be between 0 and 2"), or null. */
export function limitProblem(label: string, value: number, limit: NumberLimit | undefined): string | null {
  if (!Number.isFinite(value)) return `${label} must be a number.`;
  if (!limit) return null;
  const { min, max } = limit;
  const outside = (min !== null && value < min) || (max !== null && value > max);
  if (!outside && !(limit.integer && !Number.isInteger(value))) return null;
  const whole = limit.integer ? 'a whole number ' : '';
  if (min !== null && max !== null) return `${label} must be ${whole}between ${min} and ${max}.`;
  if (min !== null) return `${label} must be ${whole}${min === 0 ? '0 or more' : `at least ${min}`}.`;
  if (max !== null) return `${label} must be ${whole}at most ${max}.`;
  return `${label} must be a whole number.`;
}
