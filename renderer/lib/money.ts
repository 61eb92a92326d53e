/** Amounts cross the contract as integer fen (分); the screen shows yuan with two decimals, integer math only. */
export function formatFen(fen: number): string {
  if (!Number.isSafeInteger(fen)) return '—';
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.trunc(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${yuan}.${String(abs % 100).padStart(2, '0')}`;
}
