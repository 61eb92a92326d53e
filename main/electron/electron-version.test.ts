/**
 * Hardening item 18: Electron kept current (pin a supported major).
 *
 * The version is pinned exactly in package.json, the lockfile and the installed module agree with
 * it (what electron-builder packs is the installed one), and the pinned major is still inside
 * Electron's support window: the latest three stable majors, one new major every 8 weeks. Release
 * dates are estimated from that cadence anchored on Electron 39 (2025-10-28), so it needs no network.
 * The estimate is not compared with today's date here: a test that fails on a calendar day breaks CI for
 * a commit that did not change. `estimatedEndOfSupport` is what a release check uses instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const projectDir = path.resolve(import.meta.dirname, '../..');
const readJson = (file: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(projectDir, file), 'utf8')) as Record<string, unknown>;

const DAY_MS = 24 * 60 * 60 * 1000;
const ANCHOR = { major: 39, released: Date.UTC(2025, 9, 28) };
const CADENCE_DAYS = 56;
const SUPPORTED_MAJORS = 3;
/** Room for a late release of the majors that would push ours out (Electron's dates slip by weeks). */
const GRACE_DAYS = 28;

/** Estimated date after which `major` is no longer among the latest three stable majors. */
function estimatedEndOfSupport(major: number): number {
  const releaseOfSuccessor = ANCHOR.released + (major + SUPPORTED_MAJORS - ANCHOR.major) * CADENCE_DAYS * DAY_MS;
  return releaseOfSuccessor + GRACE_DAYS * DAY_MS;
}

const pkg = readJson('package.json');
const pinned = ((pkg['devDependencies'] ?? {}) as Record<string, string>)['electron'] ?? ((pkg['dependencies'] ?? {}) as Record<string, string>)['electron'];

describe('Electron kept current (item 18)', () => {
  it('pins one exact Electron version in package.json, no range', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('the lockfile and the installed electron module are that version', () => {
    const lock = readJson('package-lock.json') as { packages?: Record<string, { version?: string }> };
    expect(lock.packages?.['node_modules/electron']?.version).toBe(pinned);
    expect((readJson('node_modules/electron/package.json') as { version?: string }).version).toBe(pinned);
  });

  it('the support estimate follows the published cadence (39 → out when 42 ships, plus grace)', () => {
    // Electron 42 was due 8 weeks × 3 after 39; 39 leaves support then.
    expect(new Date(estimatedEndOfSupport(39)).toISOString().slice(0, 10)).toBe('2026-05-12');
    expect(estimatedEndOfSupport(40) - estimatedEndOfSupport(39)).toBe(CADENCE_DAYS * DAY_MS);
  });
});
