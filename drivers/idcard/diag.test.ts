import { describe, expect, it } from 'vitest';
import { SAM_EXAMPLES } from '../../test/fixtures/idcard/sam-examples';
import { sampleCards } from '../emulators/cards';
import { decodeSamHex } from './diag';
import { encodeAnswer, toHex } from './frame';
import { encodeReadBasicData } from './read-answer';

const card = sampleCards().resident;
const readAnswerHex = toHex(encodeAnswer(0x90, encodeReadBasicData({ text: card.text, photo: card.wlt, fingerprint: null })));

describe('decodeSamHex', () => {
  it('decodes a command: direction, name, hex', () => {
    expect(decodeSamHex(SAM_EXAMPLES.findCommand)).toEqual({
      ok: true,
      value: { protocol: 'sam', length: 3, checksum: '0x22', payloadLength: 0, direction: 'host_to_reader', command: { name: 'find_card', cmd: '0x20', para: '0x01', zh: '寻卡' }, payloadHex: '' },
    });
  });

  it('decodes an answer: status name and hex, payload hex', () => {
    expect(decodeSamHex('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97')).toMatchObject({
      ok: true,
      value: { direction: 'reader_to_host', status: { name: 'card_found', hex: '0x9F', sw1: '0x00', sw2: '0x00' }, payloadHex: '00000000' },
    });
    expect(decodeSamHex(toHex(encodeAnswer(0x47)))).toMatchObject({ ok: true, value: { status: { name: 'unknown (0x47)' } } });
  });

  it('decodes a read-basic answer with name and number masked, address and birth hidden, payload withheld', () => {
    const r = decodeSamHex(readAnswerHex);
    expect(r.ok).toBe(true);
    const v = (r as { ok: true; value: Record<string, unknown> }).value;
    expect(v.answerTo).toBe('read_basic');
    expect(v.card).toMatchObject({ kind: 'resident', kindZh: '居民身份证', name: '测*甲', idNumber: '1101**********002X', gender: '女', nation: '汉 (01)', validTo: '长期' });
    const json = JSON.stringify(v);
    for (const secret of ['测试甲', '11010519491231002X', '测试路', '1949-12-31']) expect(json).not.toContain(secret);
    expect(v.payloadHex).toMatch(/^\(hidden/);
    expect(v.photo).toEqual({ bytes: 1024, wlt: true });
  });

  it('reveals everything when asked', () => {
    const r = decodeSamHex(readAnswerHex, { reveal: true });
    const v = (r as { ok: true; value: Record<string, unknown> }).value;
    expect(v.card).toMatchObject({ name: '测试甲', idNumber: '11010519491231002X', address: '北京市东城区测试路1号', birthDate: '1949-12-31' });
    expect(v.payloadHex).toBe(readAnswerHex.slice(20, -2));
  });

  it('decodes a J and an I card answer with their numbers masked', () => {
    const cards = sampleCards();
    for (const c of [cards.hmt, cards.foreign_2017]) {
      const hex = toHex(encodeAnswer(0x90, encodeReadBasicData({ text: c.text, photo: c.wlt, fingerprint: new Uint8Array(0) })));
      const v = (decodeSamHex(hex) as { ok: true; value: Record<string, unknown> }).value;
      expect(v.answerTo).toBe('read_basic_fingerprint');
      expect(JSON.stringify(v)).not.toMatch(/H90000001|CAN110087010112|测试丙|测试丁/);
    }
  });

  it('decodes a Y (2023) card answer with names, number and previous-card link masked', () => {
    const y = sampleCards().foreign_2023;
    const hex = toHex(encodeAnswer(0x90, encodeReadBasicData({ text: y.text, photo: y.wlt, fingerprint: null })));
    const v = (decodeSamHex(hex) as { ok: true; value: Record<string, unknown> }).value;
    expect(v.card).toEqual({
      kind: 'foreign_permanent_2023',
      kindZh: '外国人永久居留身份证（2023 版）',
      gender: '男',
      birthDate: '(hidden: birth date; use reveal)',
      validFrom: '2024-03-01',
      validTo: '2034-03-01',
      chineseName: '测*戊',
      englishName: 'T**** S***** D**** E******** F********',
      cardNumber: '9112**********0156',
      nationality: 'DEU',
      renewalCount: 1,
      previousCardLink: '(hidden: link to the previous card number; use reveal)',
    });
    expect(v.cardError).toBeNull();
    expect(JSON.stringify(v)).not.toMatch(/911276198804120156|测试戊|EXTRALONG|1988-04-12/);
    expect(v.payloadHex).toMatch(/^\(hidden/);
    const revealed = (decodeSamHex(hex, { reveal: true }) as { ok: true; value: Record<string, unknown> }).value;
    expect(revealed.card).toMatchObject({ chineseName: '测试戊', englishName: 'TEST, SAMPLE DELTA EXTRALONG FORENAMES', cardNumber: '911276198804120156', previousCardLink: 'DEU' });
  });

  it('reports a card it cannot decode, still withholding the payload', () => {
    const text = sampleCards().foreign_2023.text.slice();
    text[248] = 0x51; // kind 'Q'
    const v = (decodeSamHex(toHex(encodeAnswer(0x90, encodeReadBasicData({ text, photo: new Uint8Array(1024), fingerprint: null })))) as { ok: true; value: Record<string, unknown> }).value;
    expect(v.card).toBeNull();
    expect(v.cardError).toBe('unknown card kind 0x51 at byte 248');
    expect(v.payloadHex).toMatch(/^\(hidden/);
  });

  it('hides a 70-byte answer (an appended address) unless revealed', () => {
    const hex = toHex(encodeAnswer(0x90, new Uint8Array(70)));
    expect((decodeSamHex(hex) as { ok: true; value: Record<string, unknown> }).value.payloadHex).toMatch(/^\(hidden/);
    expect((decodeSamHex(hex, { reveal: true }) as { ok: true; value: Record<string, unknown> }).value.payloadHex).toBe('00'.repeat(70));
  });

  it.each([
    ['AAAAAA96690003200222', 'checksum mismatch: expected 0x21, got 0x22'],
    ['hello', 'not hex'],
    ['AAA', 'odd number of hex digits'],
    ['', 'empty'],
    ['AAAAAA9669', 'too short: 5 bytes, a SAM frame has at least 10'],
    ['BBAAAA96690003200122', 'bad preamble: a SAM frame starts AA AA AA 96 69'],
  ])('gives a one-line reason for %j', (hex, error) => {
    expect(decodeSamHex(hex)).toEqual({ ok: false, error });
  });
});
