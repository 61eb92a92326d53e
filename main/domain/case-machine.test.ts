import { describe, expect, it } from 'vitest';
import { allowedTransitions, CASE_STATES, clockRuns, deemedAcceptedBySection32, isTerminal, transition, type CaseState } from './case-machine';

/** The whole table of the hall-domain note, written out independently of the module. */
const ALLOWED: Record<CaseState, CaseState[]> = {
  draft: ['received', 'withdrawn'],
  received: ['received', 'rejected', 'correction', 'accepted', 'withdrawn'],
  correction: ['received', 'withdrawn'],
  accepted: ['reviewing', 'withdrawn'],
  reviewing: ['paused', 'approved', 'denied', 'withdrawn'],
  paused: ['reviewing', 'withdrawn'],
  approved: ['completed'],
  denied: ['completed'],
  completed: ['delivered'],
  delivered: ['archived'],
  rejected: [],
  archived: [],
  withdrawn: [],
};

/** A request that satisfies any requirement, so only the table decides. */
const complete = (from: CaseState, to: CaseState) =>
  transition({ from, to, reason: '申请人书面申请', missingMaterials: ['营业执照副本'], pauseReason: 'hearing' });

describe('case state machine', () => {
  for (const from of CASE_STATES) {
    for (const to of CASE_STATES) {
      const allowed = ALLOWED[from].includes(to);
      it(`${from} → ${to} is ${allowed ? 'allowed' : 'refused'}`, () => {
        const r = complete(from, to);
        expect(r.ok).toBe(allowed);
        if (!r.ok) {
          expect(r.code).toBe('not_allowed');
          expect(r.message).toMatch(/不能转为/);
        }
      });
    }
  }

  it('lists exactly the allowed transitions and the terminal states', () => {
    for (const s of CASE_STATES) expect(allowedTransitions(s).sort()).toEqual([...ALLOWED[s]].sort());
    expect(CASE_STATES.filter(isTerminal).sort()).toEqual(['archived', 'rejected', 'withdrawn']);
  });

  it('asks for a reason to refuse, deny, withdraw or record an on-the-spot correction', () => {
    for (const [from, to] of [['received', 'rejected'], ['reviewing', 'denied'], ['draft', 'withdrawn'], ['paused', 'withdrawn'], ['received', 'received']] as const) {
      expect(transition({ from, to })).toMatchObject({ ok: false, code: 'reason_required' });
      expect(transition({ from, to, reason: '   ' })).toMatchObject({ ok: false, code: 'reason_required' });
      expect(transition({ from, to, reason: '材料不属于本部门职权范围' }).ok).toBe(true);
    }
  });

  it('asks the one-time notice to list every missing material', () => {
    expect(transition({ from: 'received', to: 'correction' })).toMatchObject({ ok: false, code: 'materials_required' });
    expect(transition({ from: 'received', to: 'correction', missingMaterials: ['', ' '] })).toMatchObject({ ok: false, code: 'materials_required' });
    expect(transition({ from: 'received', to: 'correction', missingMaterials: ['身份证复印件'] }).ok).toBe(true);
  });

  it('asks why a case is paused', () => {
    expect(transition({ from: 'reviewing', to: 'paused' })).toMatchObject({ ok: false, code: 'pause_reason_required' });
    expect(transition({ from: 'reviewing', to: 'paused', pauseReason: 'appraisal' }).ok).toBe(true);
  });

  it('runs the legal clock only while accepted or under review', () => {
    expect(CASE_STATES.filter(clockRuns)).toEqual(['accepted', 'reviewing']);
  });

  it('treats a received case without a notice after five working days as accepted (§32)', () => {
    expect(deemedAcceptedBySection32('received', 5)).toBe(false);
    expect(deemedAcceptedBySection32('received', 6)).toBe(true);
    expect(deemedAcceptedBySection32('correction', 9)).toBe(false);
  });
});
