/**
 * An error whose message is meant for the person at the terminal: the CLI prints it as one line,
 * without a stack trace. Anything else reaching the top level is a bug and is reported as such.
 */
export class UserError extends Error {
  constructor(
    message: string,
    /** Process exit status the CLI uses for this failure. */
    readonly exitCode = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'UserError';
  }
}

/** What was asked for by its id or name (a video, a chat session, a source) is not in the store: a 404 over HTTP. */
export class NotFoundError extends UserError {
  constructor(message: string, exitCode = 1) {
    super(message, exitCode);
    this.name = 'NotFoundError';
  }
}

/** The input media could not be read (missing, not a video, corrupt, truncated). */
export class MediaError extends UserError {
  constructor(message: string) {
    super(message, 3);
    this.name = 'MediaError';
  }
}
