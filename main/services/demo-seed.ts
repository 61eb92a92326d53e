/**
 * Synthetic counters and accounts for browser mode, training and tests, written only into an empty
 * database. In production, users and counters come from the hub. Names are made up.
 */
import type { Role } from '../../preload/contract';
import type { Store } from '../store';
import { CalendarFile } from '../domain/calendar';
import { CatalogFile } from '../domain/catalog';
import { CALENDAR_SETTING } from './calendar';
import { hashPassword } from './password';
import sampleCalendar from './seed/calendar.sample.json';
import sampleCatalog from './seed/catalog.sample.json';

export interface DemoAccount {
  userName: string;
  password: string;
  displayName: string;
  role: Role;
  counterNumber: number | null;
}

export const DEMO_PASSWORD = 'hall-demo';

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { userName: 'clerk03', password: DEMO_PASSWORD, displayName: '张小明', role: 'clerk', counterNumber: 3 },
  { userName: 'clerk05', password: DEMO_PASSWORD, displayName: '王小华', role: 'clerk', counterNumber: 5 },
  { userName: 'super01', password: DEMO_PASSWORD, displayName: '李小红', role: 'supervisor', counterNumber: null },
  { userName: 'tech01', password: DEMO_PASSWORD, displayName: '赵小刚', role: 'technician', counterNumber: null },
  { userName: 'kiosk01', password: DEMO_PASSWORD, displayName: '大厅自助机一号', role: 'kiosk', counterNumber: null },
  // A kiosk account assigned to a counter is that counter's rating pad (好差评), facing the applicant.
  { userName: 'pad03', password: DEMO_PASSWORD, displayName: '3号窗口评价器', role: 'kiosk', counterNumber: 3 },
];

export const DEMO_COUNTERS = [
  { number: 1, name: '综合受理', zone: 'A区', serviceGroups: ['A'] },
  { number: 2, name: '综合受理', zone: 'A区', serviceGroups: ['A'] },
  { number: 3, name: '综合受理', zone: 'A区', serviceGroups: ['A', 'B'] },
  { number: 4, name: '不动产登记', zone: 'B区', serviceGroups: ['B'] },
  { number: 5, name: '社保医保', zone: 'B区', serviceGroups: ['C'] },
  { number: 6, name: '出件窗口', zone: 'C区', serviceGroups: ['D'] },
] as const;

const counterId = (n: number) => `counter-${String(n).padStart(2, '0')}`;

/** Seeds demo data when the database has no users yet. Returns true when it wrote anything. */
export async function seedDemoData(store: Store): Promise<boolean> {
  const hasUsers = store.db.prepare('SELECT 1 FROM users LIMIT 1').get() !== undefined;
  if (hasUsers) return false;
  const hashes = await Promise.all(DEMO_ACCOUNTS.map((a) => hashPassword(a.password)));
  store.db.transaction(() => {
    for (const c of DEMO_COUNTERS) {
      store.counters.upsert({ id: counterId(c.number), number: c.number, name: c.name, zone: c.zone, serviceGroups: [...c.serviceGroups], active: true });
    }
    DEMO_ACCOUNTS.forEach((a, i) => {
      store.users.upsert({
        id: `user-${a.userName}`,
        userName: a.userName,
        displayName: a.displayName,
        role: a.role,
        counterId: a.counterNumber === null ? null : counterId(a.counterNumber),
        passwordHash: hashes[i]!,
      });
    });
    seedReferenceData(store);
  });
  return true;
}

/**
 * The sample service catalog and working-day calendar, for a hall that has not synced yet (demo,
 * training, tests). Only where nothing is there: hub data is never overwritten.
 */
export function seedReferenceData(store: Store): void {
  if (store.catalog.count() === 0) store.catalog.upsert(CatalogFile.parse(sampleCatalog).items, 'sample-1');
  if (store.settings.get(CALENDAR_SETTING, CalendarFile) === undefined) store.settings.set(CALENDAR_SETTING, CalendarFile, CalendarFile.parse(sampleCalendar));
}
