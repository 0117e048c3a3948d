import { parseReference, qualifyReference, ReferenceError, type Reference } from '@slipway/domain';
import { AppError } from '../app-error.js';
import type { MachineCaller } from './machine-caller.js';

/** Parses a reference as ss-get/ss-set give it and names the store key, seen from the caller. */
export function qualifyMachineReference(
  text: string,
  caller: MachineCaller,
): { reference: Reference; key: string } {
  try {
    const reference = parseReference(text);
    return { reference, key: qualifyReference(reference, caller) };
  } catch (error) {
    if (error instanceof ReferenceError) throw new AppError('invalid_request', error.message);
    throw error;
  }
}
