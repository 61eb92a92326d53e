import { z } from 'zod';
import type { HallDatabase } from '../database';
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

export class CounterRepository {
  constructor(private readonly db: HallDatabase) {}

  listActive(): Counter[] {
    return this.db.sql
      .prepare('SELECT * FROM counters WHERE active = 1 ORDER BY number')
      .all()
      .map((r) => this.toCounter(r));
  }

  get(id: string): Counter | null {
    const row = this.db.sql.prepare('SELECT * FROM counters WHERE id = ?').get(id);
    return row === undefined ? null : this.toCounter(row);
  }

  upsert(counter: Counter): Counter {
    const groups = ServiceGroups.parse(counter.serviceGroups);
    this.db.sql
      .prepare(
        `INSERT INTO counters (id, number, name, zone, service_groups, active)
         VALUES (@id, @number, @name, @zone, @groups, @active)
         ON CONFLICT (id) DO UPDATE SET number = excluded.number, name = excluded.name, zone = excluded.zone,
           service_groups = excluded.service_groups, active = excluded.active`,
      )
      .run({ ...counter, groups: JSON.stringify(groups), active: toFlag(counter.active) });
    return { ...counter, serviceGroups: groups };
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
