import { describe, expect, it } from 'vitest';
import { encodeCardText, SYNTHETIC_RECORDS } from '../emulators/cards';
import { decodeCardText, displayName, documentNumber } from './card';
import { makeIdNumber } from './id-number';

/** Independent of layout.ts: the offsets straight from the hardware note. */
function textWith(fields: [offset: number, length: number, value: string][]): Uint8Array {
  const t = Buffer.alloc(256);
  for (let i = 0; i < 256; i += 2) t.writeUInt16LE(0x20, i);
  for (const [offset, length, value] of fields) {
    const bytes = Buffer.from(value, 'utf16le');
    expect(bytes.length).toBeLessThanOrEqual(length);
    bytes.copy(t, offset);
  }
  return new Uint8Array(t);
}

const resident = (overrides: [number, number, string][] = []): Uint8Array =>
  textWith([
    [0, 30, '测试甲'],
    [30, 2, '2'],
    [32, 4, '01'],
    [36, 16, '19491231'],
    [52, 70, '北京市东城区测试路1号'],
    [122, 36, '11010519491231002X'],
    [158, 30, '北京市公安局测试分局'],
    [188, 16, '20150101'],
    [204, 16, '长期'],
    ...overrides,
  ]);

describe('decodeCardText: resident ID card', () => {
  it('decodes every field at its offset', () => {
    expect(decodeCardText(resident())).toEqual({
      ok: true,
      card: {
        kind: 'resident',
        name: '测试甲',
        gender: 'female',
        nation: { code: '01', name: '汉' },
        birthDate: '1949-12-31',
        address: '北京市东城区测试路1号',
        idNumber: '11010519491231002X',
        issuingAuthority: '北京市公安局测试分局',
        validFrom: '2015-01-01',
        validTo: 'long_term',
      },
    });
  });

  it('reads a dated validity end', () => {
    const r = decodeCardText(resident([[204, 16, '20350101']]));
    expect(r.ok && r.card.validTo).toBe('2035-01-01');
  });

  it.each([
    ['name', [0, 30, ' '.repeat(15)], 'empty'],
    ['gender', [30, 2, '5'], 'unknown code'],
    ['nation', [32, 4, '57'], 'unknown code'],
    ['birthDate', [36, 16, '19491332'], 'not a date'],
    ['idNumber', [122, 36, '110105194912310021'], 'check_digit'],
    ['idNumber', [122, 36, makeIdNumber('110105', '19500101', '002')], 'birth date differs from the birth field'],
    ['validTo', [204, 16, '永久'], 'not a date or 长期'],
    ['validTo', [204, 16, '20100101'], 'before validFrom'],
    ['name', [2, 2, '\u0007'], 'not text'],
  ] as [string, [number, number, string], string][])('rejects a bad %s (%s) with a typed error', (field, override, problem) => {
    const r = decodeCardText(resident([override]));
    expect(r).toEqual({ ok: false, error: { code: 'invalid_field', field, problem, message: `invalid ${field}: ${problem}` } });
  });

  it('never puts card data in error messages', () => {
    const r = decodeCardText(resident([[122, 36, '110105194912310021']]));
    expect(JSON.stringify(r)).not.toContain('110105');
  });
});

describe('decodeCardText: other kinds', () => {
  it('decodes a J (HK/Macao/Taiwan) residence permit', () => {
    const id = makeIdNumber('810000', '19850615', '031');
    const t = textWith([
      [0, 30, '测试丙'],
      [30, 2, '1'],
      [36, 16, '19850615'],
      [52, 70, '广东省深圳市测试区样例街2号'],
      [122, 36, id],
      [158, 30, '深圳市公安局'],
      [188, 16, '20240101'],
      [204, 16, '20290101'],
      [220, 18, 'H90000001'],
      [238, 4, '01'],
      [248, 2, 'J'],
    ]);
    expect(decodeCardText(t)).toEqual({
      ok: true,
      card: {
        kind: 'hmt_residence',
        name: '测试丙',
        gender: 'male',
        birthDate: '1985-06-15',
        address: '广东省深圳市测试区样例街2号',
        idNumber: id,
        issuingAuthority: '深圳市公安局',
        validFrom: '2024-01-01',
        validTo: '2029-01-01',
        passNumber: 'H90000001',
        issueCount: 1,
      },
    });
  });

  it('requires an 81/82/83 number on a J permit', () => {
    const t = encodeCardText({ ...SYNTHETIC_RECORDS.hmt });
    const r = decodeCardText(t);
    expect(r.ok).toBe(true);
    const wrong = textWith([[0, 30, '测试丙'], [30, 2, '1'], [36, 16, '19491231'], [52, 70, '地址'], [122, 36, '11010519491231002X'], [158, 30, '公安局'], [188, 16, '20240101'], [204, 16, '20290101'], [220, 18, 'H90000001'], [238, 4, '01'], [248, 2, 'J']]);
    expect(decodeCardText(wrong)).toMatchObject({ ok: false, error: { code: 'invalid_field', field: 'idNumber', problem: 'region' } });
  });

  it('decodes an I (2017 foreigner permanent residence) card', () => {
    const t = textWith([
      [0, 120, 'TEST, SAMPLE GAMMA'],
      [120, 2, '2'],
      [122, 30, 'CAN110087010112'],
      [152, 6, 'CAN'],
      [158, 30, '测试丁'],
      [188, 16, '20200101'],
      [204, 16, '20300101'],
      [220, 16, '19870101'],
      [236, 4, '01'],
      [240, 8, '1500'],
      [248, 2, 'I'],
    ]);
    expect(decodeCardText(t)).toEqual({
      ok: true,
      card: {
        kind: 'foreign_permanent_2017',
        englishName: 'TEST, SAMPLE GAMMA',
        chineseName: '测试丁',
        gender: 'female',
        permitNumber: 'CAN110087010112',
        nationality: 'CAN',
        birthDate: '1987-01-01',
        validFrom: '2020-01-01',
        validTo: '2030-01-01',
        cardVersion: '01',
        issuingAuthorityCode: '1500',
      },
    });
  });

  it('refuses an empty Y card with a typed field error, not garbage', () => {
    expect(decodeCardText(textWith([[248, 2, 'Y']]))).toMatchObject({ ok: false, error: { code: 'invalid_field' } });
  });

  it('refuses an unknown kind with its code', () => {
    expect(decodeCardText(textWith([[248, 2, 'Q']]))).toMatchObject({ ok: false, error: { code: 'unknown_card_kind', kindChar: '0x51' } });
    expect(decodeCardText(textWith([[248, 2, '中']]))).toMatchObject({ ok: false, error: { code: 'unknown_card_kind', kindChar: '0x4E2D' } });
  });

  it('refuses text that is not 256 bytes', () => {
    expect(decodeCardText(new Uint8Array(255))).toMatchObject({ ok: false, error: { code: 'text_length', got: 255 } });
  });
});

describe('decodeCardText: Y (2023 foreigner permanent residence card)', () => {
  const number = makeIdNumber('911276', '19880412', '015');
  // The English name as the SDK header splits it: characters 1–35 at 52/70, 36–46 at 220/22.
  const y = (overrides: [number, number, string][] = []): Uint8Array =>
    textWith([
      [0, 30, '测试戊'],
      [30, 2, '1'],
      [32, 4, '01'],
      [36, 16, '19880412'],
      [52, 70, 'TEST, SAMPLE DELTA EXTRALONG FORENA'],
      [122, 36, number],
      [188, 16, '20240301'],
      [204, 16, '20340301'],
      [220, 22, 'MES'],
      [242, 6, 'DEU'],
      [248, 2, 'Y'],
      [250, 6, 'DEU'],
      ...overrides,
    ]);

  it('decodes every field at its offset and joins the two English-name parts', () => {
    expect(decodeCardText(y())).toEqual({
      ok: true,
      card: {
        kind: 'foreign_permanent_2023',
        chineseName: '测试戊',
        englishName: 'TEST, SAMPLE DELTA EXTRALONG FORENAMES',
        gender: 'male',
        renewalCount: 1,
        birthDate: '1988-04-12',
        cardNumber: number,
        nationality: 'DEU',
        validFrom: '2024-03-01',
        validTo: '2034-03-01',
        previousCardLink: 'DEU',
      },
    });
  });

  it('keeps a space that falls on the 35th character, and reads a blank continuation, Chinese name and link', () => {
    const split = decodeCardText(y([[52, 70, 'TEST, SAMPLE DELTA EXTRALONG FIRST '], [220, 22, 'SECOND']]));
    expect(split.ok && split.card.kind === 'foreign_permanent_2023' && split.card.englishName).toBe('TEST, SAMPLE DELTA EXTRALONG FIRST SECOND');
    const short = decodeCardText(y([[0, 30, ' '.repeat(15)], [52, 70, 'TEST, SAMPLE DELTA'.padEnd(35)], [220, 22, ' '.repeat(11)], [250, 6, '   ']]));
    expect(short).toMatchObject({ ok: true, card: { chineseName: '', englishName: 'TEST, SAMPLE DELTA', previousCardLink: null } });
    expect(encodeCardText(SYNTHETIC_RECORDS.foreign_2023)).toEqual(y());
  });

  it('refuses a card without an English name', () => {
    expect(decodeCardText(y([[52, 70, ' '.repeat(35)], [220, 22, ' '.repeat(11)]]))).toMatchObject({ ok: false, error: { field: 'englishName', problem: 'empty' } });
  });

  it('decodes the synthetic sample record', () => {
    expect(decodeCardText(encodeCardText(SYNTHETIC_RECORDS.foreign_2023))).toEqual({ ok: true, card: SYNTHETIC_RECORDS.foreign_2023 });
  });

  it.each([
    ['englishName', [52, 70, ' '.repeat(35)], 'continuation after a short first part'],
    ['englishName', [52, 70, 'TEST, SAMPLE DELTA'.padEnd(35)], 'continuation after a short first part'],
    ['gender', [30, 2, '3'], 'unknown code'],
    ['renewalCount', [32, 4, 'A1'], 'format'],
    ['birthDate', [36, 16, '19880230'], 'not a date'],
    ['cardNumber', [122, 36, '911276198804120151'], 'check_digit'],
    // a resident number in a Y card: the first digit must be 9
    ['cardNumber', [122, 36, makeIdNumber('110105', '19880412', '015')], 'region'],
    ['cardNumber', [122, 36, makeIdNumber('971276', '19880412', '015')], 'region'],
    ['cardNumber', [122, 36, makeIdNumber('911276', '19880413', '015')], 'birth date differs from the birth field'],
    ['nationality', [242, 6, 'DE '], 'format'],
    ['validTo', [204, 16, '20230101'], 'before validFrom'],
    ['previousCardLink', [250, 6, 'd- '], 'format'],
    ['chineseName', [2, 2, '\u0007'], 'not text'],
  ] as [string, [number, number, string], string][])('rejects a bad %s (%s) with a typed error', (field, override, problem) => {
    expect(decodeCardText(y([override]))).toEqual({ ok: false, error: { code: 'invalid_field', field, problem, message: `invalid ${field}: ${problem}` } });
  });

  it('never puts card data in error messages', () => {
    const r = decodeCardText(y([[122, 36, '911276198804120151']]));
    expect(JSON.stringify(r)).not.toContain('911276');
  });
});

describe('displayName / documentNumber', () => {
  it('pick the right fields per kind', () => {
    expect(displayName(SYNTHETIC_RECORDS.resident)).toBe('测试甲');
    expect(documentNumber(SYNTHETIC_RECORDS.resident)).toBe('11010519491231002X');
    expect(displayName(SYNTHETIC_RECORDS.foreign_2017)).toBe('测试丁');
    expect(displayName({ ...SYNTHETIC_RECORDS.foreign_2017, chineseName: '' })).toBe('TEST, SAMPLE GAMMA');
    expect(documentNumber(SYNTHETIC_RECORDS.foreign_2017)).toBe('CAN110087010112');
    expect(displayName(SYNTHETIC_RECORDS.foreign_2023)).toBe('测试戊');
    expect(displayName({ ...SYNTHETIC_RECORDS.foreign_2023, chineseName: '' })).toBe('TEST, SAMPLE DELTA EXTRALONG FORENAMES');
    expect(documentNumber(SYNTHETIC_RECORDS.foreign_2023)).toBe('911276198804120156');
  });
});
