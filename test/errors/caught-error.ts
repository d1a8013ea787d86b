/** The error `fn` throws (what a typed-error test inspects: code, message, details); fails the test when it throws nothing. */
export function caught(fn: () => unknown): Error & { code?: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string; details?: Record<string, unknown> };
  }
  throw new Error('expected an error');
}
