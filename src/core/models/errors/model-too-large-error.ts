import { gib } from './gib';

/** Loading a model would exceed the memory Hearth allows itself. */
export class ModelTooLargeError extends Error {
  override readonly name = 'ModelTooLargeError';
  constructor(
    readonly file: string,
    readonly neededBytes: number,
    readonly budgetBytes: number,
  ) {
    super(
      `${file} needs about ${gib(neededBytes)} of memory but only ${gib(budgetBytes)} is available. ` +
        'Close other programs, unload other models, or choose a smaller model.',
    );
  }
}
