/**
 * Reference data the hub publishes and the counter reads offline: the service catalog and the credit
 * lists (失信被执行人 / 重点关注, as SHA-256 hashes of ID numbers with their joint measures). A new hall
 * seeds the catalog from a JSON file; sync replaces rows as newer versions arrive.
 */
import { z } from 'zod';
import type { Clock, HallDatabase } from '../database';
import { ServiceItem } from '../../domain/catalog';
import { CreditMeasure } from '../../domain/credit';
import { parseJsonColumn, parseRow } from './rows';

const CatalogRow = z.object({ code: z.string(), body: z.string(), version: z.string(), updated_at: z.string() });

export class CatalogRepository {
  private cache: { items: ServiceItem[]; byCode: Map<string, ServiceItem> } | null = null;

  constructor(
    private readonly db: HallDatabase,
    private readonly clock: Clock,
  ) {}

  /** Inserts or replaces items (validated), all in one transaction. */
  upsert(items: readonly ServiceItem[], version: string): number {
    const parsed = items.map((i) => ServiceItem.parse(i));
    const at = this.clock().toISOString();
    const stmt = this.db.prepare(
      `INSERT INTO catalog_items (code, body, version, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (code) DO UPDATE SET body = excluded.body, version = excluded.version, updated_at = excluded.updated_at`,
    );
    this.db.transaction(() => {
      for (const item of parsed) stmt.run(item.code, JSON.stringify(item), version, at);
    });
    this.cache = null;
    return parsed.length;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM catalog_items').get() as { n: number }).n;
  }

  all(): ServiceItem[] {
    return this.load().items;
  }

  get(code: string): ServiceItem | null {
    return this.load().byCode.get(code) ?? null;
  }

  private load(): { items: ServiceItem[]; byCode: Map<string, ServiceItem> } {
    if (this.cache) return this.cache;
    const items = this.db
      .prepare('SELECT * FROM catalog_items ORDER BY code')
      .all()
      .map((raw) => {
        const row = parseRow(CatalogRow, raw, 'catalog_items');
        return parseJsonColumn(ServiceItem, row.body, 'catalog_items', row.code);
      });
    this.cache = { items, byCode: new Map(items.map((i) => [i.code, i])) };
    return this.cache;
  }
}

export interface CreditEntry {
  idHash: string;
  standing: 'good' | 'dishonest' | 'watch';
  measures: CreditMeasure[];
  listVersion: string;
}

const CreditRow = z.object({ id_hash: z.string(), standing: z.enum(['good', 'dishonest', 'watch']), measures: z.string(), list_version: z.string() });

export class CreditRepository {
  constructor(private readonly db: HallDatabase) {}

  upsert(entries: readonly CreditEntry[]): void {
    const stmt = this.db.prepare(
      `INSERT INTO credit_entries (id_hash, standing, measures, list_version) VALUES (?, ?, ?, ?)
       ON CONFLICT (id_hash) DO UPDATE SET standing = excluded.standing, measures = excluded.measures, list_version = excluded.list_version`,
    );
    this.db.transaction(() => {
      for (const e of entries) stmt.run(e.idHash, e.standing, JSON.stringify(z.array(CreditMeasure).parse(e.measures)), e.listVersion);
    });
  }

  find(idHash: string): CreditEntry | null {
    const raw = this.db.prepare('SELECT * FROM credit_entries WHERE id_hash = ?').get(idHash);
    if (raw === undefined) return null;
    const r = parseRow(CreditRow, raw, 'credit_entries', idHash.slice(0, 8));
    return { idHash: r.id_hash, standing: r.standing, measures: parseJsonColumn(z.array(CreditMeasure), r.measures, 'credit_entries', idHash.slice(0, 8)), listVersion: r.list_version };
  }
}
