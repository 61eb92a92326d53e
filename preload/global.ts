/**
 * Name of the global the preload exposes the HallApi under (`window.hall`). Lives apart from
 * preload/index.ts so the renderer can import it without pulling in `electron`.
 */
import type { HallApi } from './contract';

export const HALL_GLOBAL = 'hall' as const;

/** `window[HALL_GLOBAL]` as the renderer sees it in Electron (absent in browser mode). */
export type HallGlobal = { readonly [HALL_GLOBAL]?: HallApi };
