import path from 'node:path';

/** Files Parley reads at run time, resolved from the project root that the entry point knows. */
export interface ProjectPaths {
  root: string;
  migrations: string;
  extensionsDist: string;
  manifest: string;
}

export function resolveProjectPaths(root: string): ProjectPaths {
  return {
    root,
    migrations: path.join(root, 'migrations'),
    extensionsDist: path.join(root, 'extensions', 'dist'),
    manifest: path.join(root, 'manifest'),
  };
}
