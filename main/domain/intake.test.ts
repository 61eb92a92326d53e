import { describe, expect, it } from 'vitest';
import { ServiceItem } from './catalog';
import { assessIntake, commitmentDeadlineValid, type MaterialCheck } from './intake';

const item = ServiceItem.parse({
  code: 'SCJG-001',
  name: '个体工商户设立登记',
  department: '市场监督管理局',
  kind: 'promised',
  legalLimitDays: 15,
  promisedLimitDays: 3,
  serviceGroup: 'A',
  toleranceAllowed: true,
  creditCommitmentAllowed: true,
  materials: [
    { code: 'M1', name: '申请书', form: 'original', count: 1 },
    { code: 'M2', name: '身份证明', form: 'copy', count: 1, eLicenceTypes: ['居民身份证'] },
    { code: 'M3', name: '场所证明', form: 'copy', count: 1, toleratable: true, creditCommitmentReplaces: true },
  ],
});
const checks = (m1: MaterialCheck['status'], m2: MaterialCheck['status'], m3: MaterialCheck['status']): MaterialCheck[] => [
  { code: 'M1', status: m1 },
  { code: 'M2', status: m2 },
  { code: 'M3', status: m3 },
];

describe('assessIntake', () => {
  it('accepts a complete set, counting e-licences', () => {
    const a = assessIntake(item, checks('provided', 'e_licence', 'provided'), 'normal');
    expect(a).toMatchObject({ complete: true, canAccept: true, needsCommitment: false, missing: [] });
  });

  it('accepts with 容缺 when the gap is tolerable, asking for a commitment', () => {
    const a = assessIntake(item, checks('provided', 'provided', 'tolerated'), 'normal');
    expect(a).toMatchObject({ complete: false, canAccept: true, needsCommitment: true });
    expect(a.tolerated.map((m) => m.code)).toEqual(['M3']);
  });

  it('accepts a credit commitment in place of a replaceable material', () => {
    expect(assessIntake(item, checks('provided', 'provided', 'credit_commitment'), 'good')).toMatchObject({ complete: true, canAccept: true });
  });

  it('refuses 容缺 and 信用承诺 to applicants on the 失信 list', () => {
    for (const status of ['tolerated', 'credit_commitment'] as const) {
      const a = assessIntake(item, checks('provided', 'provided', status), 'dishonest');
      expect(a.canAccept).toBe(false);
      expect(a.reasons.join()).toContain('失信名单');
    }
  });

  it('refuses replacements the catalog does not allow', () => {
    const a = assessIntake(item, checks('tolerated', 'credit_commitment', 'provided'), 'normal');
    expect(a.canAccept).toBe(false);
    expect(a.missing.map((m) => m.code)).toEqual(['M1', 'M2']);
    expect(a.reasons).toEqual(['“申请书”不可容缺', '“身份证明”不适用信用承诺']);
    expect(assessIntake(item, checks('e_licence', 'provided', 'provided'), 'normal').reasons).toEqual(['“申请书”不能以电子证照替代']);
  });

  it('lists every missing and defective material for the one-time notice', () => {
    const a = assessIntake(item, [{ code: 'M1', status: 'defective', note: '缺少签字' }], 'normal');
    expect(a.canAccept).toBe(false);
    expect(a.defective).toEqual([{ material: item.materials[0], note: '缺少签字' }]);
    expect(a.missing.map((m) => m.code)).toEqual(['M2', 'M3']);
  });
});

describe('commitmentDeadlineValid', () => {
  it('requires today ≤ commitment ≤ promised deadline', () => {
    expect(commitmentDeadlineValid('2026-11-30', '2026-12-01', '2026-11-26')).toBe(true);
    expect(commitmentDeadlineValid('2026-12-01', '2026-12-01', '2026-11-26')).toBe(true);
    expect(commitmentDeadlineValid('2026-12-02', '2026-12-01', '2026-11-26')).toBe(false);
    expect(commitmentDeadlineValid('2026-11-25', '2026-12-01', '2026-11-26')).toBe(false);
  });
});
