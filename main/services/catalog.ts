/**
 * The service catalog as the counter and the kiosk search it (name, code, pinyin initials). The
 * search index is rebuilt when the catalog changes (sync or import), not per keystroke.
 */
import type { CatalogItemView } from '../../preload/case-contract';
import { indexCatalog, searchCatalog, type CatalogIndexEntry, type ServiceItem } from '../domain/catalog';
import type { Store } from '../store';

export function catalogItemView(item: ServiceItem): CatalogItemView {
  return {
    code: item.code,
    name: item.name,
    department: item.department,
    kind: item.kind,
    legalLimitDays: item.legalLimitDays,
    promisedLimitDays: item.promisedLimitDays,
    serviceGroup: item.serviceGroup,
    materials: item.materials.map((m) => ({ ...m })),
    fees: item.fees.map((f) => ({ ...f })),
    completeWithFeesUnpaid: item.completeWithFeesUnpaid,
    toleranceAllowed: item.toleranceAllowed,
    creditCommitmentAllowed: item.creditCommitmentAllowed,
  };
}

export class CatalogService {
  private index: { items: readonly ServiceItem[]; entries: CatalogIndexEntry[] } | null = null;

  constructor(private readonly store: Store) {}

  search(query: string): CatalogItemView[] {
    const items = this.store.catalog.all();
    if (this.index?.items !== items) this.index = { items, entries: indexCatalog(items) };
    return searchCatalog(this.index.entries, query, 20).map(catalogItemView);
  }
}
