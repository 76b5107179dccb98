// Validation of a record against schemas/report.schema.json (JSON Schema 2020-12, ajv).

import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';

/** The JSON Schema of report.json shipped with the tool. */
export const REPORT_SCHEMA_URL = new URL('../../schemas/report.schema.json', import.meta.url);

let validator: ValidateFunction | null = null;

function getValidator(): ValidateFunction {
  if (validator) return validator;
  const schema = JSON.parse(readFileSync(REPORT_SCHEMA_URL, 'utf8')) as object;
  // ajv ships CommonJS; under NodeNext the class is the module's default export.
  const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as new (o: object) => {
    compile(s: object): ValidateFunction;
  };
  validator = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  return validator;
}

/** Problems of a record as `path: message` lines; empty when it validates. */
export function validateRecord(record: unknown): string[] {
  const validate = getValidator();
  if (validate(record)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}${e.params && 'allowedValues' in e.params ? ` (${JSON.stringify(e.params.allowedValues)})` : ''}`);
}
