import { expect } from 'vitest';
import { EngineError } from '../../core/errors.js';

/** The EngineError a call fails with; the test fails if it succeeds or throws anything else. */
export async function engineFailure(promise: Promise<unknown>): Promise<EngineError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EngineError);
  return err as EngineError;
}
