import path from 'node:path';

/** Files Parley reads at run time, resolved from the project root that the entry point knows. */
export interface ProjectPaths {
  root: string;
  migrations: string;
  extensionsDist: string;
  manifest: string;
  /** The embedded database's template, made by `npm run build` (see db/embedded-template.ts). */
  embeddedTemplate: string;
}

export function resolveProjectPaths(root: string): ProjectPaths {
  return {
    root,
    migrations: path.join(root, 'migrations'),
    extensionsDist: path.join(root, 'extensions', 'dist'),
    manifest: path.join(root, 'manifest'),
    embeddedTemplate: path.join(root, 'build', 'embedded-database'),
  };
}
