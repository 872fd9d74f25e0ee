import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { DrizzleSnapshotJSON } from 'drizzle-kit/api';
import * as schema from '../../server/db/schema/index.ts';

// drizzle-kit's programmatic API compares the TypeScript schema with the last migration snapshot:
// any statement it would generate means someone changed a table without `npm run db:generate`.
describe('schema and migrations', () => {
  it('agree: generating a migration from the current schema yields nothing', async () => {
    const { generateDrizzleJson, generateMigration } = await import('drizzle-kit/api');
    const metaDir = path.resolve('migrations/meta');
    const snapshots = readdirSync(metaDir)
      .filter((file) => file.endsWith('_snapshot.json'))
      .sort();
    const latest = snapshots.at(-1);
    expect(latest).toBeDefined();
    const snapshotText = readFileSync(path.join(metaDir, latest ?? ''), 'utf8');
    const previous = JSON.parse(snapshotText) as DrizzleSnapshotJSON;
    const { id: previousId } = JSON.parse(snapshotText) as { id: string };

    const current = generateDrizzleJson(schema, previousId, undefined, 'snake_case');
    const statements = await generateMigration(previous, current);

    expect(statements).toEqual([]);
  });
});
