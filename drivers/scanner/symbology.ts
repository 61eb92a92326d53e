/**
 * AIM symbology identifiers (ISO/IEC 15424): the three characters `]` + code character + modifier a
 * scanner puts before (HID POS: beside) the decoded data. Only identifiers we know reliably get a
 * name; anything else is reported as unknown with its raw AIM, never guessed.
 */

export const SYMBOLOGY_FAMILIES = [
  'qr',
  'datamatrix',
  'pdf417',
  'aztec',
  'code128',
  'code39',
  'code93',
  'code11',
  'codabar',
  'ean-upc',
  'itf',
  'msi',
  'databar',
  'other',
  'unknown',
] as const;
export type SymbologyFamily = (typeof SYMBOLOGY_FAMILIES)[number];

export interface Symbology {
  /** The raw AIM id, e.g. `]Q1`; `null` when the scanner sent none (wedge, or AIM transmission off). */
  readonly aim: string | null;
  /** Human name for screens and diagnostics, e.g. "QR Code", "EAN-8". */
  readonly name: string;
  readonly family: SymbologyFamily;
}

/** Code character (the letter after `]`) → family and default name. */
const BY_CODE: Readonly<Record<string, { family: SymbologyFamily; name: string }>> = {
  Q: { family: 'qr', name: 'QR Code' },
  d: { family: 'datamatrix', name: 'Data Matrix' },
  L: { family: 'pdf417', name: 'PDF417' },
  z: { family: 'aztec', name: 'Aztec' },
  C: { family: 'code128', name: 'Code 128' },
  A: { family: 'code39', name: 'Code 39' },
  G: { family: 'code93', name: 'Code 93' },
  H: { family: 'code11', name: 'Code 11' },
  F: { family: 'codabar', name: 'Codabar' },
  E: { family: 'ean-upc', name: 'EAN/UPC' },
  I: { family: 'itf', name: 'Interleaved 2 of 5' },
  M: { family: 'msi', name: 'MSI Plessey' },
  e: { family: 'databar', name: 'GS1 DataBar' },
  X: { family: 'other', name: 'Other (vendor-defined)' },
};

/** Full AIM ids whose modifier changes what the code is. */
const BY_AIM: Readonly<Record<string, string>> = {
  ']E0': 'EAN-13', // UPC-A and UPC-E are transmitted in full EAN-13 form with ]E0
  ']E1': 'EAN/UPC 2-digit add-on',
  ']E2': 'EAN/UPC 5-digit add-on',
  ']E3': 'EAN-13 with add-on',
  ']E4': 'EAN-8',
  ']C1': 'GS1-128',
  ']d2': 'GS1 DataMatrix',
  ']Q3': 'GS1 QR Code',
  ']Q4': 'GS1 QR Code',
};

const AIM_SHAPE = /^\][A-Za-z][0-9A-Za-z]$/;

/** True for a well-formed AIM id (`]` + letter + digit/letter). */
export function isAimId(aim: string): boolean {
  return AIM_SHAPE.test(aim);
}

export function symbologyFromAim(aim: string | null): Symbology {
  if (aim === null) return { aim: null, name: 'unknown', family: 'unknown' };
  if (!isAimId(aim)) return { aim, name: 'unknown', family: 'unknown' };
  const code = BY_CODE[aim.charAt(1)];
  if (!code) return { aim, name: 'unknown', family: 'unknown' };
  return { aim, name: BY_AIM[aim] ?? code.name, family: code.family };
}
