/**
 * How long reading one part of a document took, remembered across whole-document answers so
 * the next one can say how long it will take before its first part is read. Parts are cut to
 * the same token budget, so seconds per part is a fair unit; the latest parts weigh most,
 * since the machine's load and the model change.
 */
export class ReadingPace {
  private _secondsPerPart: number | null = null;

  record(seconds: number): void {
    this._secondsPerPart = this._secondsPerPart === null ? seconds : 0.5 * this._secondsPerPart + 0.5 * seconds;
  }

  /** Seconds `parts` more parts (the combining step counts as one) will take, or null before any was timed. */
  estimate(parts: number): number | null {
    return this._secondsPerPart === null ? null : Math.round(this._secondsPerPart * parts);
  }
}
