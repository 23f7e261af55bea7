/** The one error family of the app. Boundaries (SCIM router, server actions, CLI) map these once. */
export class AppError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Configuration that cannot work: the process reports it in one line and stops. */
export class ConfigError extends AppError {}

export class NotFoundError extends AppError {}

/** A uniqueness rule would be broken (SCIM `uniqueness`). */
export class ConflictError extends AppError {}

/** Input that is well-formed but not acceptable. `scimType` refines it at the SCIM boundary. */
export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly scimType:
      | "invalidValue"
      | "invalidFilter"
      | "invalidPath"
      | "noTarget"
      | "mutability"
      | "invalidSyntax"
      | "tooMany"
      | "invalidCursor" = "invalidValue",
  ) {
    super(message);
  }
}

export class ForbiddenError extends AppError {}

/** An If-Match precondition failed (HTTP 412). */
export class PreconditionFailedError extends AppError {}

/**
 * What an admin confirmed is no longer what the save would do (members, seats or prices changed in between):
 * nothing was saved or bought; `current` is the new preview to show instead.
 */
export class StalePreviewError<T = unknown> extends AppError {
  constructor(
    message: string,
    readonly current: T,
  ) {
    super(message);
  }
}
