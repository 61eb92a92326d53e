import { z } from 'zod';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RowValidationError } from '../errors';
import type { Store } from '../index';
import { memoryStore } from '../test-support';

let store: Store;
beforeEach(() => {
  store = memoryStore();
});
afterEach(() => store.close());

const Recall = z.object({ maxRecalls: z.number().int().min(0), speech: z.enum(['web', 'espeak']) });

describe('SettingsRepository', () => {
  it('returns undefined for a key never set', () => {
    expect(store.settings.get('queue.recall', Recall)).toBeUndefined();
  });

  it('round-trips a value through the schema and overwrites it', () => {
    store.settings.set('queue.recall', Recall, { maxRecalls: 3, speech: 'web' });
    expect(store.settings.get('queue.recall', Recall)).toEqual({ maxRecalls: 3, speech: 'web' });
    store.settings.set('queue.recall', Recall, { maxRecalls: 2, speech: 'espeak' });
    expect(store.settings.get('queue.recall', Recall)).toEqual({ maxRecalls: 2, speech: 'espeak' });
    expect(store.settings.get('queue.recall', Recall)).not.toBeNull();
  });

  it('stores scalar JSON values, including null', () => {
    store.settings.set('hall.code', z.string(), 'HALL01');
    store.settings.set('retention.days', z.number().nullable(), null);
    expect(store.settings.get('hall.code', z.string())).toBe('HALL01');
    expect(store.settings.get('retention.days', z.number().nullable())).toBeNull();
  });

  it('refuses to write a value its schema rejects', () => {
    expect(() => store.settings.set('queue.recall', Recall, { maxRecalls: -1, speech: 'web' })).toThrow(z.ZodError);
    expect(store.settings.get('queue.recall', Recall)).toBeUndefined();
  });

  it('reports a stored value that no longer fits the schema', () => {
    store.settings.set('queue.recall', z.unknown(), { maxRecalls: 'three' });
    expect(() => store.settings.get('queue.recall', Recall)).toThrow(RowValidationError);
  });
});
