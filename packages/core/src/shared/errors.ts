import type { ErrorCode } from '@guichet/contracts';

/** The one error type for expected failures. Its code maps to an HTTP status in contracts. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

export function notFound(code: ErrorCode, what: string): AppError {
  return new AppError(code, `${what} not found`);
}

export function invalid(message: string, path: (string | number)[] = []): AppError {
  return new AppError('VALIDATION_FAILED', message, { issues: [{ path, message }] });
}
