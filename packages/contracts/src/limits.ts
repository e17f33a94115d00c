/**
 * The limits on files of a message, in a module without zod, so the web app checks a file on the
 * spot against the very numbers the server enforces (`@guichet/contracts/limits`).
 */

/** A staff upload's largest file, in bytes (the portal's limit too). */
export const UPLOAD_MAX_BYTES = 10 * 1024 * 1024;
/** Files on one message. */
export const MESSAGE_MAX_FILES = 10;
