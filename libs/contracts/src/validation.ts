import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { EventRejectedError } from './errors';
import type { EventDefinition, PayloadOf } from './event-definition';

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...describe(error.children ?? [], path)];
  });
}

/**
 * Checks a payload against its contract and returns a clean copy. Fields the contract does not
 * know are dropped, not refused: a newer producer may add optional fields (tolerant reader).
 */
export function validatePayload<TDefinition extends EventDefinition>(definition: TDefinition, payload: unknown): PayloadOf<TDefinition> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new EventRejectedError('invalid-payload', `${definition.type} v${definition.version}: data must be a JSON object`);
  }
  const instance = plainToInstance(definition.payload, payload);
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new EventRejectedError('invalid-payload', `${definition.type} v${definition.version}: ${describe(errors).join('; ')}`);
  }
  return JSON.parse(JSON.stringify(instance)) as PayloadOf<TDefinition>;
}
