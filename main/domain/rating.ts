/**
 * 好差评 (ratings) rules of the hall-domain note: one rating per handling, five levels, a callback
 * (回访) with a fix deadline for ratings ≤ 2, and the two rates every report uses.
 */
import { RATING_LEVEL_LABELS } from '../../preload/case-contract';
import type { CalendarDate, WorkingCalendar } from './calendar';

export const RATING_LEVELS = [5, 4, 3, 2, 1] as const;
export type RatingLevel = (typeof RATING_LEVELS)[number];

/** Worded once in the contract: every screen shows the same words. */
export const RATING_LABELS: Record<RatingLevel, string> = RATING_LEVEL_LABELS;

/** Ratings at or below this open a callback. */
export const CALLBACK_AT_OR_BELOW: RatingLevel = 2;

export function needsCallback(level: RatingLevel): boolean {
  return level <= CALLBACK_AT_OR_BELOW;
}

/** Reasons are offered as chips for ratings ≤ 3 (screens note). */
export function asksForReasons(level: RatingLevel): boolean {
  return level <= 3;
}

/** Fix deadline of a callback: N working days (configurable, e.g. 5) after the rating day. */
export function callbackDeadline(calendar: WorkingCalendar, ratedOn: CalendarDate, workingDays: number): CalendarDate {
  return calendar.addWorkingDays(ratedOn, workingDays)!;
}

export interface RatingRates {
  count: number;
  /** 满意率 = ratings 4–5 ÷ all ratings (null when there are none). */
  satisfaction: number | null;
  /** 差评率 = ratings 1–2 ÷ all ratings. */
  bad: number | null;
}

export function ratingRates(levels: readonly RatingLevel[]): RatingRates {
  const count = levels.length;
  if (count === 0) return { count, satisfaction: null, bad: null };
  const good = levels.filter((l) => l >= 4).length;
  const bad = levels.filter((l) => l <= 2).length;
  return { count, satisfaction: good / count, bad: bad / count };
}
