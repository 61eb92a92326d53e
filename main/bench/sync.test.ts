/**
 * `hall bench sync` at tiny sizes: every figure is measured (finite, positive) next to its limit, and
 * the catch-up landed every outbox row on the hub exactly once. PostgreSQL only with HALL_TEST_PG_URL
 * (the hub store's own tests cover the throwaway cluster).
 */
import { describe, expect, it } from 'vitest';
import { runSyncBench } from './sync';

const NAMES = [
  'hub.ingest.sqlite.per_s',
  'hub.ingest.sqlite.ratio',
  'hub.ingest.postgres.per_s',
  'catchup.10k.s',
  'wire.bytes_per_case',
  'fanout.500.p50_ms',
  'fanout.500.p99_ms',
  'peer.pouchdb.10k.s',
  'catchup.vs_pouchdb.ratio',
];

describe('hall bench sync (tiny sizes)', () => {
  it('measures every figure beside its limit and lands each case on the hub exactly once', async () => {
    const withPg = Boolean(process.env.HALL_TEST_PG_URL);
    const lines: string[] = [];
    const { figures, checks } = await runSyncBench({ cases: 200, consoles: 20, fanoutRounds: 2, pouchDocs: 200, pg: withPg ? undefined : 'skip', log: (l) => lines.push(l) });

    expect(figures.map((f) => f.name)).toEqual(NAMES);
    for (const f of figures) {
      if (f.name === 'hub.ingest.postgres.per_s' && !withPg) {
        expect(f.skipped).toMatch(/skip/);
        continue;
      }
      expect(f.skipped, f.name).toBeUndefined();
      expect(Number.isFinite(f.value) && f.value > 0, `${f.name} = ${f.value}`).toBe(true);
      expect(f.limit, f.name).toBeDefined();
      expect(Number.isFinite(f.limit!.value) && f.limit!.value > 0, `${f.name} limit = ${f.limit!.value}`).toBe(true);
    }
    // The peer is shown for comparison, never counted as our goal.
    expect(figures.find((f) => f.name === 'peer.pouchdb.10k.s')?.informational).toBe(true);

    // Each case makes 3 outbox rows (face check, case created, case accepted); all acked once on the hub.
    expect(checks.cases).toBe(200);
    expect(checks.outboxRows).toBe(600);
    expect(checks.hubLastApplied).toBe(checks.outboxRows);
    expect(checks.hubMutations).toBe(checks.outboxRows);
    expect(checks.hubDistinctSeqs).toBe(checks.outboxRows);
    expect(checks.missing).toBe(0);
    expect(checks.quarantined).toBe(0);
    expect(checks.fanoutConsoles).toBe(20);
    expect(checks.pouchDocsWritten).toBe(200);

    // Compression is on: the wire carries fewer bytes than the bare payloads.
    const wire = figures.find((f) => f.name === 'wire.bytes_per_case')!;
    expect(wire.value).toBeLessThan(wire.limit!.value);
    expect(lines.some((l) => l.includes('catch-up: 600 rows acked'))).toBe(true);
  }, 120_000);
});
