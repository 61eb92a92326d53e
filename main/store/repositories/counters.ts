import { z } from 'zod';
import type { HallDatabase } from '../database';
import { COUNTER_STATUSES, type CounterStatus } from '../enums';
import { NotFoundError } from '../errors';
import { flag, parseJsonColumn, parseRow, toFlag } from './rows';

export interface Counter {
  id: string;
  number: number;
  name: string;
  zone: string;
  /** Service group codes this counter serves (e.g. ticket prefixes 'A', 'B'). */
  serviceGroups: string[];
  active: boolean;
}

const Row = z.object({
  id: z.string(),
  number: z.number().int(),
  name: z.string(),
  zone: z.string(),
  service_groups: z.string(),
  active: flag,
});
const ServiceGroups = z.array(z.string());
const StatusRow = z.object({
  id: z.string(),
  status: z.enum(COUNTER_STATUSES),
  status_changed_at: z.string().nullable(),
  status_reason: z.string().nullable(),
});

/** 开窗 / 暂停 / 关窗 of one counter (migration 0005); kept apart from what the hub configures. */
export interface CounterStatusRecord {
  status: CounterStatus;
  /** When it last changed; null when it never did since the counter was set up. */
  since: string | null;
  reason: string | null;
}

export class CounterRepository {
  constructor(private readonly db: HallDatabase) {}

  listActive(): Counter[] {
    return this.db
      .prepare('SELECT * FROM counters WHERE active = 1 ORDER BY number')
      .all()
      .map((r) => this.toCounter(r));
  }

  get(id: string): Counter | null {
    const row = this.db.prepare('SELECT * FROM counters WHERE id = ?').get(id);
    return row === undefined ? null : this.toCounter(row);
  }

  upsert(counter: Counter): Counter {
    const groups = ServiceGroups.parse(counter.serviceGroups);
    this.db
      .prepare(
        `INSERT INTO counters (id, number, name, zone, service_groups, active)
         VALUES (@id, @number, @name, @zone, @groups, @active)
         ON CONFLICT (id) DO UPDATE SET number = excluded.number, name = excluded.name, zone = excluded.zone,
           service_groups = excluded.service_groups, active = excluded.active`,
      )
      .run({ ...counter, groups: JSON.stringify(groups), active: toFlag(counter.active) });
    return { ...counter, serviceGroups: groups };
  }

  /** The status of one counter, or null when there is no such counter. */
  statusOf(id: string): CounterStatusRecord | null {
    const row = this.db.prepare('SELECT id, status, status_changed_at, status_reason FROM counters WHERE id = ?').get(id);
    return row === undefined ? null : toStatus(row);
  }

  /** The status of every counter, by id. */
  statuses(): Map<string, CounterStatusRecord> {
    const rows = this.db.prepare('SELECT id, status, status_changed_at, status_reason FROM counters').all();
    return new Map(rows.map((r) => [parseRow(StatusRow, r, 'counters').id, toStatus(r)]));
  }

  /** Write a status change (the caller audits it in the same transaction). */
  setStatus(id: string, status: CounterStatus, at: string, reason: string | null): CounterStatusRecord {
    const info = this.db.prepare('UPDATE counters SET status = ?, status_changed_at = ?, status_reason = ? WHERE id = ?').run(status, at, reason, id);
    if (info.changes === 0) throw new NotFoundError('counter', id);
    return { status, since: at, reason };
  }

  private toCounter(raw: unknown): Counter {
    const row = parseRow(Row, raw, 'counters');
    return {
      id: row.id,
      number: row.number,
      name: row.name,
      zone: row.zone,
      serviceGroups: parseJsonColumn(ServiceGroups, row.service_groups, 'counters', row.id),
      active: row.active,
    };
  }
}

function toStatus(raw: unknown): CounterStatusRecord {
  const row = parseRow(StatusRow, raw, 'counters');
  return { status: row.status, since: row.status_changed_at, reason: row.status_reason };
}
