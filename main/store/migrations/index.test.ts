import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from './index';

describe('migration list', () => {
  it('has contiguous versions 1..n', () => {
    expect(MIGRATIONS.length).toBeGreaterThan(0);
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('lists every NNNN-name.ts file of the folder, matching its version and name, each with a test', () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const files = readdirSync(dir);
    const sources = files.filter((f) => /^\d{4}-.+\.ts$/.test(f) && !f.endsWith('.test.ts')).sort();
    expect(sources).toEqual(MIGRATIONS.map((m) => `${String(m.version).padStart(4, '0')}-${m.name}.ts`));
    for (const source of sources) {
      expect(files).toContain(source.replace(/\.ts$/, '.test.ts'));
    }
  });
});
