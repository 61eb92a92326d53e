/**
 * Sandboxed preload (bundled to one CommonJS file by electron-vite, item 15): exposes exactly the
 * HallApi contract as `window.hall` and nothing else. ipcRenderer, its events and its `sender`
 * never cross the bridge; listeners receive only the payload, which `createHallApi` checks against
 * the contract. This file exports nothing.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { z } from 'zod';
import { createHallApi } from './contract';
import { HALL_GLOBAL } from './global';
import { createIpcTransport } from './ipc-transport';

// No `new Function` probe or JIT-compiled parsers: the CSP has no 'unsafe-eval' (item 9).
z.config({ jitless: true });

contextBridge.exposeInMainWorld(HALL_GLOBAL, createHallApi(createIpcTransport(ipcRenderer)));
