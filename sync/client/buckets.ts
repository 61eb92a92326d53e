/**
 * Which buckets this console downloads (docs/sync.md "Hall-wide cases"): the reference data always;
 * `hall_cases` only on a supervisor station, chosen by the setting `sync.hallCases` (until enrollment
 * gives the console a role; a counter never needs the whole hall's cases).
 */
import { z } from 'zod';
import type { Store } from '../../main/store';
import type { Bucket } from '../protocol';
import { DEFAULT_PULL_BUCKETS } from './client';

export const HALL_CASES_SETTING = 'sync.hallCases';
export const HallCasesSetting = z.boolean();

export function hallCasesEnabled(store: Store): boolean {
  try {
    return store.settings.get(HALL_CASES_SETTING, HallCasesSetting) ?? false;
  } catch {
    return false; // a bad setting never stops sync; the view says the feed is off
  }
}

export function pullBuckets(store: Store): Bucket[] {
  return hallCasesEnabled(store) ? [...DEFAULT_PULL_BUCKETS, 'hall_cases'] : [...DEFAULT_PULL_BUCKETS];
}
