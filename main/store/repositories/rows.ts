import { z } from 'zod';
import { jsonValueSchema } from '../../domain/json-value';
import { RowValidationError } from '../errors';

/** Validates a raw SQLite row (or a decoded JSON column) with zod; errors name the row, never its values. */
export function parseRow<S extends z.ZodType>(schema: S, value: unknown, table: string, key = rowKey(value)): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`).join('; ');
    throw new RowValidationError(table, key, detail);
  }
  return result.data;
}

/** The row's id/seq/key for error messages (never personal data: those columns are encrypted). */
function rowKey(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '?';
  for (const k of ['id', 'seq', 'key']) {
    if (k in value) return String((value as Record<string, unknown>)[k]);
  }
  return '?';
}

export function parseJsonColumn<S extends z.ZodType>(schema: S, text: string, table: string, key: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RowValidationError(table, key, 'column is not valid JSON');
  }
  return parseRow(schema, value, table, key);
}

export const blob = z.instanceof(Buffer);
export const flag = z.union([z.literal(0), z.literal(1)]).transform((n) => n === 1);
export const toFlag = (b: boolean): 0 | 1 => (b ? 1 : 0);

export type { JsonValue } from '../../domain/json-value';
/** z.json(), ~10× faster (main/domain/json-value.ts). */
export const jsonValue = jsonValueSchema;
