/**
 * A request the local API refuses, answered in OpenAI's error shape so clients built for
 * OpenAI show the message: `{"error":{"message","type","param","code"}}`.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    message: string,
    readonly options: { type?: string; param?: string | null; code?: string | null } = {},
  ) {
    super(message);
  }

  get body() {
    return {
      error: {
        message: this.message,
        type: this.options.type ?? (this.status >= 500 ? 'server_error' : 'invalid_request_error'),
        param: this.options.param ?? null,
        code: this.options.code ?? null,
      },
    };
  }
}
