import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/**
 * The embedded database's template: an empty database with Parley's migrations and pg-boss's
 * schema applied, made by `npm run build` in `build/embedded-database/`. A start on a fresh data
 * directory copies it instead of running initdb and every migration, which was most of the first
 * start (issue 13: 3.7 s against 1.8 s for a restart).
 *
 * The template is used only when its key matches: a hash of the migrations and of the exact
 * package versions (PGlite's data format, pg-boss's schema), so a template made before a migration
 * was added or edited is ignored and the start creates the database as without one. Either way the
 * start then migrates as usual, so the template only ever saves work, never replaces it.
 */
export interface EmbeddedTemplatePaths {
  root: string;
  migrations: string;
  /** Where the build keeps the template. */
  embeddedTemplate: string;
}

export const STAMP_FILE = 'template.json';
export const DATA_FOLDER = 'pgdata';
/** Bumped when the way the template is made changes, so older templates stop matching. */
const TEMPLATE_FORMAT = 1;

/** What the template depends on; read from ~20 small files and the lock file, in milliseconds. */
export function embeddedTemplateKey(paths: EmbeddedTemplatePaths): string {
  const hash = createHash('sha256').update(`format ${TEMPLATE_FORMAT}\0`);
  hash.update(readFileSync(path.join(paths.root, 'package-lock.json'))).update('\0');
  const migrations = readdirSync(paths.migrations, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(paths.migrations, path.join(entry.parentPath, entry.name)))
    .sort();
  for (const file of migrations)
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(path.join(paths.migrations, file)));
  return hash.digest('hex');
}

function stampedKey(templateDir: string): string | undefined {
  try {
    const stamp = JSON.parse(readFileSync(path.join(templateDir, STAMP_FILE), 'utf8')) as { key?: unknown };
    return typeof stamp.key === 'string' ? stamp.key : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the template exists and was made from the current migrations and packages. */
export function embeddedTemplateIsCurrent(paths: EmbeddedTemplatePaths): boolean {
  const stamped = stampedKey(paths.embeddedTemplate);
  return stamped !== undefined && stamped === embeddedTemplateKey(paths);
}

/**
 * Fills a database directory that holds no database yet (`PG_VERSION` is what PGlite checks) from
 * the template, when there is a current one; returns whether it did. The copy goes to a sibling
 * directory renamed into place, so an interrupted copy never looks like a database.
 */
export function seedFromEmbeddedTemplate(pgDataDir: string, paths: EmbeddedTemplatePaths): boolean {
  if (existsSync(path.join(pgDataDir, 'PG_VERSION'))) return false;
  // Anything else already there (an interrupted initdb) is left to PGlite, as before templates.
  if (existsSync(pgDataDir) && readdirSync(pgDataDir).length > 0) return false;
  let current: boolean;
  try {
    current = embeddedTemplateIsCurrent(paths);
  } catch {
    // No lock file or migrations folder to compare with: create the database the usual way.
    return false;
  }
  if (!current) return false;
  const partial = `${pgDataDir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(path.join(paths.embeddedTemplate, DATA_FOLDER), partial, { recursive: true });
  if (existsSync(pgDataDir)) rmdirSync(pgDataDir);
  renameSync(partial, pgDataDir);
  return true;
}
