/**
 * The layer rule must actually fire: lint small virtual files placed in each layer.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function messages(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer boundaries', () => {
  it.each([
    'main/services/window.ts',
    'main/store/x.ts',
    'main/host/x.ts',
    'drivers/idcard/x.ts',
    'sync/client/x.ts',
    'renderer/screens/x.tsx',
    'preload/contract.ts',
    'bin/hall.ts',
  ])("refuses 'electron' in %s", async (path) => {
    expect((await messages(path, "import { app } from 'electron';\nexport const a = app;\n")).join()).toContain('main/electron');
  });

  it.each(['main/electron/window.ts', 'preload/index.ts'])("allows 'electron' in %s", async (path) => {
    expect(await messages(path, "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
  });

  it('keeps the renderer away from main, drivers, sync and Node I/O', async () => {
    for (const spec of ['../../main/store', '../../drivers/idcard', '../../sync/client', 'node:fs', 'better-sqlite3']) {
      expect(await messages('renderer/screens/x.tsx', `import x from '${spec}';\nexport default x;\n`)).not.toEqual([]);
    }
    expect(await messages('renderer/screens/x.tsx', "import { methods } from '../../preload/contract';\nexport default methods;\n")).toEqual([]);
  });

  it('keeps main/domain free of I/O', async () => {
    expect(await messages('main/domain/rule.ts', "import fs from 'node:fs';\nexport default fs;\n")).not.toEqual([]);
    expect(await messages('main/domain/rule.ts', "import { x } from '../store/database';\nexport default x;\n")).not.toEqual([]);
  });

  it('keeps plain-Node layers out of the Electron shell', async () => {
    expect(await messages('main/host/server.ts', "import { x } from '../electron/index';\nexport default x;\n")).not.toEqual([]);
  });
});
