/**
 * Masking of personal data for screens, logs and paper (security note: "masking in the UI by
 * default, always in logs and on paper"). One implementation; everyone calls it.
 */

/** 张三 → 张*, 张三丰 → 张*丰, 欧阳小明 → 欧**明; Latin names keep the first letter of each word. */
export function maskName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) return '';
  const chars = Array.from(trimmed);
  if (/^[\p{Script=Han}·]+$/u.test(trimmed)) {
    if (chars.length === 1) return '*';
    if (chars.length === 2) return `${chars[0]}*`;
    return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
  }
  return trimmed
    .split(/\s+/)
    .map((word) => {
      const w = Array.from(word);
      return w.length <= 1 ? '*' : `${w[0]}${'*'.repeat(w.length - 1)}`;
    })
    .join(' ');
}

/** 11010519491231002X → 1101**********002X (keep 4 + 4); short numbers keep the last 2 only. */
export function maskIdNumber(id: string): string {
  const s = id.trim();
  if (s.length >= 10) return `${s.slice(0, 4)}${'*'.repeat(s.length - 8)}${s.slice(-4)}`;
  if (s.length <= 2) return '*'.repeat(s.length);
  return `${'*'.repeat(s.length - 2)}${s.slice(-2)}`;
}

/** 13812345678 → 138****5678 */
export function maskPhone(phone: string): string {
  const s = phone.trim();
  if (s.length < 7) return '*'.repeat(s.length);
  return `${s.slice(0, 3)}${'*'.repeat(s.length - 7)}${s.slice(-4)}`;
}
