/**
 * Is the card valid today? Dates on a card are Chinese calendar dates; "today" is the injected clock's
 * instant seen in China (UTC+8). A card is valid through its valid-to date; 长期 never expires.
 */
import type { Clock } from '../../main/domain/clock';
import type { IsoDate, ValidTo } from './card';
import { chinaDate } from './id-number';

export type CardValidityStatus = 'valid' | 'expired' | 'not_yet_valid';

export interface CardValidity {
  status: CardValidityStatus;
  /** Today in China, YYYY-MM-DD. */
  today: IsoDate;
  /** Days left including today (0 once expired), null for long-term cards. */
  daysLeft: number | null;
}

const DAY_MS = 86_400_000;

function dayNumber(iso: IsoDate): number {
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
}

export function checkValidity(card: { validFrom: IsoDate; validTo: ValidTo }, clock: Clock): CardValidity {
  const today = chinaDate(clock());
  if (today < card.validFrom) return { status: 'not_yet_valid', today, daysLeft: null };
  if (card.validTo === 'long_term') return { status: 'valid', today, daysLeft: null };
  const left = dayNumber(card.validTo) - dayNumber(today) + 1;
  return left > 0 ? { status: 'valid', today, daysLeft: left } : { status: 'expired', today, daysLeft: 0 };
}

export function isExpired(card: { validFrom: IsoDate; validTo: ValidTo }, clock: Clock): boolean {
  return checkValidity(card, clock).status === 'expired';
}
