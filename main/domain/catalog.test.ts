import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CatalogFile, indexCatalog, pinyinInitials, searchCatalog, ServiceItem } from './catalog';

const sample = CatalogFile.parse(JSON.parse(readFileSync(new URL('../services/seed/catalog.sample.json', import.meta.url), 'utf8')));
const index = indexCatalog(sample.items);
const names = (q: string) => searchCatalog(index, q).map((i) => i.name);

describe('catalog', () => {
  it('accepts the sample catalog', () => {
    expect(sample.items.length).toBeGreaterThanOrEqual(7);
    expect(sample.items.find((i) => i.code === 'BDC-021')?.fees.map((f) => f.amountFen)).toEqual([8000, 1000]);
  });

  it('makes pinyin initials', () => {
    expect(pinyinInitials('不动产转移登记')).toBe('bdczydj');
    expect(pinyinInitials('食品经营许可')).toBe('spjyxk');
  });

  it('searches by code, name and pinyin initials, best first', () => {
    expect(names('BDC-021')).toEqual(['不动产转移登记']);
    expect(names('bdc')).toEqual(['不动产转移登记']);
    expect(names('许可')).toEqual(['食品经营许可', '公共场所卫生许可']);
    expect(names('spjy')).toEqual(['食品经营许可']);
    expect(names('scjg')).toEqual(['食品经营许可', '个体工商户设立登记']); // code prefix SCJG-, shorter name first
    expect(names('xk')).toEqual(['食品经营许可', '公共场所卫生许可']); // initials substring
    expect(names('  ')).toEqual([]);
    expect(names('火星')).toEqual([]);
  });

  const base = {
    code: 'X-1',
    name: '测试事项',
    department: '测试局',
    kind: 'promised',
    legalLimitDays: 10,
    promisedLimitDays: 5,
    serviceGroup: 'A',
    materials: [{ code: 'M1', name: '申请书', form: 'original', count: 1 }],
  };

  it('refuses a promised limit above the legal limit, fen as floats, duplicate codes, 容缺 where not offered', () => {
    expect(ServiceItem.safeParse(base).success).toBe(true);
    expect(ServiceItem.safeParse({ ...base, promisedLimitDays: 11 }).success).toBe(false);
    expect(ServiceItem.safeParse({ ...base, kind: 'on_the_spot' }).success).toBe(false);
    expect(ServiceItem.safeParse({ ...base, fees: [{ code: 'F', name: '费', amountFen: 12.5 }] }).success).toBe(false);
    expect(ServiceItem.safeParse({ ...base, materials: [base.materials[0], base.materials[0]] }).success).toBe(false);
    expect(ServiceItem.safeParse({ ...base, materials: [{ ...base.materials[0], toleratable: true }] }).success).toBe(false);
    expect(CatalogFile.safeParse({ version: 1, items: [base, base] }).success).toBe(false);
  });
});
