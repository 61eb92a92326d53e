import { describe, expect, it } from 'vitest';
import { decodeCardText } from '../idcard/card';
import { validateForeignPermanentNumber, validateIdNumber } from '../idcard/id-number';
import { cardKindChar } from '../idcard/card';
import { encodeCardText, makeEmulatedCard, makeForeign2023Card, sampleCards, syntheticFingerprint, SYNTHETIC_RECORDS, withPhoto } from './cards';
import { EmulatorPhotoDecoder, EmulatorPhotoLibrary } from './idcard-photo';

describe('synthetic cards', () => {
  it.each(Object.entries(SYNTHETIC_RECORDS))('%s round-trips through the 256-byte layout', (_name, record) => {
    const text = encodeCardText(record);
    expect(text).toHaveLength(256);
    expect(decodeCardText(text)).toEqual({ ok: true, card: record });
  });

  it('only uses numbers with a valid GB 11643 check character', () => {
    for (const r of Object.values(SYNTHETIC_RECORDS)) if ('idNumber' in r) expect(validateIdNumber(r.idNumber).ok).toBe(true);
    expect(validateForeignPermanentNumber(SYNTHETIC_RECORDS.foreign_2023.cardNumber)).toMatchObject({ ok: true, birthDate: SYNTHETIC_RECORDS.foreign_2023.birthDate, sex: 'male' });
  });

  it('has one card of every kind, each decoding to its synthetic record', () => {
    const cards = sampleCards();
    expect(Object.values(cards).map((c) => cardKindChar(c.text))).toEqual([' ', ' ', 'J', 'I', 'Y']);
    for (const [name, card] of Object.entries(cards)) expect(decodeCardText(card.text)).toEqual({ ok: true, card: SYNTHETIC_RECORDS[name as keyof typeof SYNTHETIC_RECORDS] });
    expect(makeForeign2023Card()).toMatchObject({ kind: 'foreign_permanent_2023', fingerprint: new Uint8Array(0) });
  });

  it('splits a long English name over the two fields of a Y card', () => {
    const text = encodeCardText(SYNTHETIC_RECORDS.foreign_2023);
    expect(SYNTHETIC_RECORDS.foreign_2023.englishName.length).toBeGreaterThan(35);
    expect(Buffer.from(text.subarray(52, 122)).toString('utf16le')).toBe('TEST, SAMPLE DELTA EXTRALONG FORENA');
    expect(Buffer.from(text.subarray(220, 242)).toString('utf16le').trimEnd()).toBe('MES');
    expect(() => encodeCardText({ ...SYNTHETIC_RECORDS.foreign_2023, englishName: 'A'.repeat(47) })).toThrow(/englishName is 47 characters, the card holds 46/);
  });

  it('refuses values that do not fit their field', () => {
    expect(() => encodeCardText({ ...SYNTHETIC_RECORDS.resident, name: '测'.repeat(16) })).toThrow(/name is 16 characters, the card holds 15/);
  });

  it('lets the photo be replaced (e.g. with a face image for the camera tests)', async () => {
    const lib = new EmulatorPhotoLibrary();
    const card = makeEmulatedCard(SYNTHETIC_RECORDS.resident, { photoLibrary: lib });
    const face = { mime: 'image/jpeg' as const, bytes: new Uint8Array(5000).fill(0xd8) };
    const swapped = withPhoto(card, face, lib);
    expect(swapped.text).toBe(card.text);
    expect(await new EmulatorPhotoDecoder(lib).decode(swapped.wlt)).toEqual(face);
  });

  it('makes a deterministic synthetic fingerprint block', () => {
    expect(syntheticFingerprint(1)).toEqual(syntheticFingerprint(1));
    expect(syntheticFingerprint(1)).not.toEqual(syntheticFingerprint(2));
    expect(syntheticFingerprint()).toHaveLength(1024);
  });
});
