import { readFileSync } from 'node:fs';
import { SCHEMA_VERSION } from '../../main/store/database';
import { print, type Command } from '../command';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export const versionCommand: Command = {
  name: 'version',
  summary: 'print the console version and the database schema version it knows',
  run(ctx) {
    const value = { product: 'hall-console', version: packageVersion(), schemaVersion: SCHEMA_VERSION, node: process.versions.node };
    print(ctx, value, `hall-console ${value.version} (schema ${value.schemaVersion}, node ${value.node})`);
  },
};
