/**
 * The fault-injection harness in `npm test` (issue 6): a seeded subset of `hall sim sync` runs, each
 * fault aimed at on its own, and the check itself shown to catch what it claims to (lost, duplicated,
 * divergent, stuck). `HALL_SIM_RUNS=1000` runs the long version of the mixed subset.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, runSyncSimulation, type SimRunResult } from '../../sync/sim/run';
import { simulateSync } from '../../sync/sim';

const RUNS = Number(process.env.HALL_SIM_RUNS ?? 8);
const quick = { activeMs: 15 * 60_000, healMs: 8 * 60_000 };

function explain(r: SimRunResult): string {
  return [`seed ${r.seed}`, ...r.faults, ...r.problems, ...r.errors].slice(0, 60).join('\n');
}

describe('hall sim sync', () => {
  it(`${RUNS} mixed seeded runs: nothing lost, duplicated, divergent or stuck`, { timeout: 60_000 + RUNS * 20_000 }, async () => {
    const failures: string[] = [];
    const summary = await simulateSync({ seed: 1, runs: RUNS, onRun: (r) => void (r.ok || failures.push(explain(r))) });
    expect(failures).toEqual([]);
    expect(summary).toMatchObject({ runs: RUNS, lost: 0, duplicated: 0, divergent: 0, stuck: 0, seeds_failed: [] });
    expect(summary.cases).toBeGreaterThan(RUNS * 20);
  });

  for (const kind of FAULT_KINDS) {
    it(`survives ${kind} on its own`, { timeout: 120_000 }, async () => {
      let happened = 0;
      for (const seed of [1001, 1002, 1003]) {
        const r = await runSyncSimulation(seed, { ...quick, faultKinds: [kind] });
        expect(r.ok, explain(r)).toBe(true);
        happened += r.faults.filter((f) => /chaos|partition|kill -9|hub crash|restored/.test(f)).length;
      }
      expect(happened).toBeGreaterThan(0);
    });
  }

  it('reproduces a seed exactly', { timeout: 60_000 }, async () => {
    const a = await runSyncSimulation(77, quick);
    const b = await runSyncSimulation(77, quick);
    expect(b.faults).toEqual(a.faults);
    expect(b.cases).toBe(a.cases);
    expect(b.network).toEqual(a.network);
    expect(b.steps).toBe(a.steps);
  });
});

describe('the check of hall sim sync finds what it looks for', () => {
  it('a case the hub lost, a case it holds twice, and a catalog the hub changed behind the consoles', { timeout: 60_000 }, async () => {
    const r = await runSyncSimulation(5, {
      ...quick,
      faultKinds: ['partition'],
      beforeCheck: ({ hubFile }) => {
        const db = new Database(hubFile);
        try {
          const rows = db.prepare(`SELECT mutation_id AS id, payload FROM hub_mutations WHERE type = 'case.accepted' ORDER BY rowid LIMIT 2`).all() as { id: string; payload: string }[];
          expect(rows).toHaveLength(2);
          db.prepare('DELETE FROM hub_mutations WHERE mutation_id = ?').run(rows[0]!.id);
          db.prepare(
            `INSERT INTO hub_mutations (mutation_id, console_id, seq, schema_version, hlc, type, payload, content_hash, applied_at)
             SELECT '01900000-0000-7000-8000-000000000000', console_id, seq, schema_version, hlc, type, payload, content_hash, applied_at FROM hub_mutations WHERE mutation_id = ?`,
          ).run(rows[1]!.id);
          db.prepare(`UPDATE hub_changes SET value = replace(value, '模拟事项', '篡改事项') WHERE bucket = 'catalog'`).run();
        } finally {
          db.close();
        }
      },
    });
    expect(r.ok).toBe(false);
    expect(r.lost).toBe(1);
    expect(r.duplicated).toBe(1);
    expect(r.divergent).toBe(r.consoles);
    expect(r.problems.join('\n')).toMatch(/divergent: C01 catalog: differs SIM-/);
  });

  it('a console that cannot upload after the heal is stuck', { timeout: 60_000 }, async () => {
    const r = await runSyncSimulation(6, {
      ...quick,
      faultKinds: ['partition'],
      onHeal: async ({ hub, consoleIds }) => {
        await hub.revokeConsole(consoleIds[0]!);
      },
      beforeCheck: ({ consoles }) => {
        // Make sure it had something to upload: a case accepted after the revocation.
        const store = consoles[0]!.store;
        store.db.transaction(() => store.outbox.append('case.accepted', { caseId: 'late', at: new Date().toISOString() }));
      },
    });
    expect(r.stuck).toBe(1);
    expect(r.problems.join('\n')).toMatch(/stuck: C01 .*pending/);
  });
});
