/**
 * `hall diag decode --protocol sam --hex …`: decode one captured SAM frame to a JSON-able object.
 * Card data is personal: by default the name and document numbers are masked (main/domain/masking),
 * birth date and address hidden, and the raw payload of a card answer withheld; `reveal` shows all.
 */
import { maskIdNumber, maskName } from '../../main/domain/masking';
import { decodeCardText, type IdCardRecord } from './card';
import { genderLabel } from './codes';
import { parseFrame, parseHex, toHex, type SamFrame } from './frame';
import { looksLikeWlt } from './photo';
import { describeCommand, hexByte } from './protocol';
import { parseReadBasicData, type ReadBasicPayload } from './read-answer';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type DiagResult = { ok: true; value: { [key: string]: JsonValue } } | { ok: false; error: string };

const KIND_ZH: Record<IdCardRecord['kind'], string> = {
  resident: '居民身份证',
  hmt_residence: '港澳台居民居住证',
  foreign_permanent_2017: '外国人永久居留身份证（2017 版）',
  foreign_permanent_2023: '外国人永久居留身份证（2023 版）',
};

const hidden = (what: string): string => `(hidden: ${what}; use reveal)`;

function cardView(card: IdCardRecord, reveal: boolean): { [key: string]: JsonValue } {
  const name = (s: string): string => (reveal ? s : maskName(s));
  const num = (s: string): string => (reveal ? s : maskIdNumber(s));
  const birth = reveal ? card.birthDate : hidden('birth date');
  const common = { kind: card.kind, kindZh: KIND_ZH[card.kind], gender: genderLabel(card.gender), birthDate: birth, validFrom: card.validFrom, validTo: card.validTo === 'long_term' ? '长期' : card.validTo };
  switch (card.kind) {
    case 'resident':
      return {
        ...common,
        name: name(card.name),
        nation: `${card.nation.name} (${card.nation.code})`,
        idNumber: num(card.idNumber),
        address: reveal ? card.address : hidden(`${card.address.length} characters`),
        issuingAuthority: card.issuingAuthority,
      };
    case 'hmt_residence':
      return {
        ...common,
        name: name(card.name),
        idNumber: num(card.idNumber),
        address: reveal ? card.address : hidden(`${card.address.length} characters`),
        issuingAuthority: card.issuingAuthority,
        passNumber: num(card.passNumber),
        issueCount: card.issueCount,
      };
    case 'foreign_permanent_2017':
      return {
        ...common,
        englishName: name(card.englishName),
        chineseName: card.chineseName ? name(card.chineseName) : '',
        permitNumber: num(card.permitNumber),
        nationality: card.nationality,
        cardVersion: card.cardVersion,
        issuingAuthorityCode: card.issuingAuthorityCode,
      };
    case 'foreign_permanent_2023':
      return {
        ...common,
        chineseName: card.chineseName ? name(card.chineseName) : '',
        englishName: name(card.englishName),
        cardNumber: num(card.cardNumber),
        nationality: card.nationality,
        renewalCount: card.renewalCount,
        // Part of the holder's previous card number: personal data.
        previousCardLink: card.previousCardLink === null ? null : reveal ? card.previousCardLink : hidden('link to the previous card number'),
      };
  }
}

function readAnswer(data: Uint8Array): { payload: ReadBasicPayload; command: 'read_basic' | 'read_basic_fingerprint' } | null {
  const basic = parseReadBasicData(data, false);
  if (basic.ok) return { payload: basic.value, command: 'read_basic' };
  const fp = parseReadBasicData(data, true);
  if (fp.ok) return { payload: fp.value, command: 'read_basic_fingerprint' };
  return null;
}

function describeFrame(frame: SamFrame, reveal: boolean): { [key: string]: JsonValue } {
  const base = { protocol: 'sam', length: frame.length, checksum: hexByte(frame.checksum), payloadLength: frame.data.length };
  if (frame.direction === 'host_to_reader') {
    const c = describeCommand(frame.cmd, frame.para);
    return { ...base, direction: 'host_to_reader', command: { name: c.name, cmd: c.cmd, para: c.para, zh: c.zh }, payloadHex: toHex(frame.data) };
  }
  const status = { name: frame.status.name, hex: frame.status.hex, zh: frame.status.zh, sw1: hexByte(frame.sw1), sw2: hexByte(frame.sw2) };
  const answer = { ...base, direction: 'reader_to_host', status };
  if (frame.sw3 !== 0x90) return { ...answer, payloadHex: toHex(frame.data) };

  const read = readAnswer(frame.data);
  if (read) {
    const decoded = decodeCardText(read.payload.text);
    return {
      ...answer,
      answerTo: read.command,
      payloadHex: reveal ? toHex(frame.data) : hidden(`${frame.data.length} bytes of card data`),
      card: decoded.ok ? cardView(decoded.card, reveal) : null,
      cardError: decoded.ok ? null : decoded.error.message,
      photo: { bytes: read.payload.photo.length, wlt: looksLikeWlt(read.payload.photo) },
      fingerprintBytes: read.payload.fingerprint ? read.payload.fingerprint.length : null,
    };
  }
  if (frame.data.length === 70) {
    // 30 03 answers 70 bytes of UCS-2 address: personal data.
    return { ...answer, answerTo: 'read_appended_address (by length)', payloadHex: reveal ? toHex(frame.data) : hidden('70 bytes, likely an appended address') };
  }
  return { ...answer, payloadHex: toHex(frame.data) };
}

/** Decode one frame given as hex (spaces, colons and 0x allowed). */
export function decodeSamHex(hex: string, opts: { reveal?: boolean } = {}): DiagResult {
  const input = parseHex(hex);
  if (!input.ok) return { ok: false, error: input.error };
  const parsed = parseFrame(input.bytes);
  if (!parsed.ok) return { ok: false, error: parsed.error.message };
  return { ok: true, value: describeFrame(parsed.frame, opts.reveal === true) };
}
