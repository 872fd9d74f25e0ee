import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `manifest/app.json` is the single source of truth for Parley's registration in Pipedrive: the
 * callback and installation URLs, the scopes, and every app extension. Parley, the sandbox and
 * the docs all read it through this module.
 */
export type ExtensionType = 'custom_panel' | 'custom_modal' | 'custom_floating_window' | 'custom_ui_settings';
export type PanelLocation = 'deal_details' | 'person_details' | 'organization_details';

export interface ManifestExtension {
  id: string;
  type: ExtensionType;
  name: string;
  description: string;
  locations: PanelLocation[];
  /** Path under PUBLIC_URL. */
  path: string;
  size?: { width?: number; height?: number };
}

export interface AppManifest {
  name: string;
  description: string;
  oauth: { callbackPath: string; installationPath: string; scopes: string[] };
  extensions: ManifestExtension[];
}

/** Scopes Pipedrive offers (pipedrive-platform.md §1.4); anything else is a typo. */
const KNOWN_SCOPES = new Set([
  'base',
  'deals:read',
  'deals:full',
  'contacts:read',
  'contacts:full',
  'leads:read',
  'leads:full',
  'activities:read',
  'activities:full',
  'users:read',
  'search:read',
  'webhooks:read',
  'webhooks:full',
  'admin',
  'messengers-integration',
  'recents:read',
  'mail:read',
  'mail:full',
  'products:read',
  'products:full',
  'projects:read',
  'projects:full',
  'goals:read',
  'goals:full',
  'phone-integration',
  'video-calls',
]);
const TYPES: readonly ExtensionType[] = [
  'custom_panel',
  'custom_modal',
  'custom_floating_window',
  'custom_ui_settings',
];
const LOCATIONS: readonly PanelLocation[] = ['deal_details', 'person_details', 'organization_details'];

export function loadManifest(manifestDir: string): AppManifest {
  const manifest = JSON.parse(readFileSync(path.join(manifestDir, 'app.json'), 'utf8')) as AppManifest;
  const problems = validateManifest(manifest);
  if (problems.length > 0)
    throw new Error(`manifest/app.json is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return manifest;
}

/** Pipedrive's limits on extensions (pipedrive-platform.md §3.1), checked before Developer Hub would. */
export function validateManifest(manifest: AppManifest): string[] {
  const problems: string[] = [];
  if (!manifest.name || manifest.name.length > 30) problems.push('name is required and at most 30 characters');
  if (!manifest.description || manifest.description.length > 150)
    problems.push('description is required and at most 150 characters');
  for (const key of ['callbackPath', 'installationPath'] as const) {
    if (!manifest.oauth?.[key]?.startsWith('/')) problems.push(`oauth.${key} must be a path starting with /`);
  }
  const scopes = manifest.oauth?.scopes ?? [];
  if (!scopes.includes('base')) problems.push('oauth.scopes must include base');
  for (const scope of scopes) if (!KNOWN_SCOPES.has(scope)) problems.push(`unknown scope "${scope}"`);

  const ids = new Set<string>();
  const panelLocations = new Set<PanelLocation>();
  for (const extension of manifest.extensions ?? []) {
    const label = `extension "${extension.id}"`;
    if (!/^[a-z0-9-]+$/.test(extension.id ?? ''))
      problems.push(`${label}: id must be lower-case letters, digits and dashes`);
    if (ids.has(extension.id)) problems.push(`${label}: duplicate id`);
    ids.add(extension.id);
    if (!TYPES.includes(extension.type)) problems.push(`${label}: unknown type "${extension.type}"`);
    if (!extension.name || extension.name.length > 30)
      problems.push(`${label}: name is required and at most 30 characters`);
    if ((extension.description ?? '').length > 150) problems.push(`${label}: description is at most 150 characters`);
    if (!extension.path?.startsWith('/')) problems.push(`${label}: path must start with /`);
    for (const location of extension.locations ?? []) {
      if (!LOCATIONS.includes(location)) problems.push(`${label}: unknown location "${location}"`);
      if (extension.type === 'custom_panel') {
        if (panelLocations.has(location)) problems.push(`${label}: only one panel per app may sit in ${location}`);
        panelLocations.add(location);
      }
    }
    if (extension.type === 'custom_panel' && (extension.locations ?? []).length === 0)
      problems.push(`${label}: a panel needs at least one location`);
    if (extension.type !== 'custom_panel' && (extension.locations ?? []).length > 0)
      problems.push(`${label}: only panels have locations`);
    if (extension.type === 'custom_floating_window') {
      const { width = 0, height = 0 } = extension.size ?? {};
      if (width < 200 || width > 800 || height < 70 || height > 700)
        problems.push(`${label}: a floating window is 200–800 px wide and 70–700 px high`);
    }
  }
  if ((manifest.extensions ?? []).filter((e) => e.type === 'custom_floating_window').length > 1)
    problems.push('an app has at most one floating window');
  if ((manifest.extensions ?? []).filter((e) => e.type === 'custom_ui_settings').length > 1)
    problems.push('an app has at most one settings page');
  return problems;
}

/** Absolute URLs for a deployment at `publicUrl` (what goes into Developer Hub). */
export function renderManifest(manifest: AppManifest, publicUrl: string) {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    callbackUrl: `${base}${manifest.oauth.callbackPath}`,
    installationUrl: `${base}${manifest.oauth.installationPath}`,
    scopes: manifest.oauth.scopes,
    extensions: manifest.extensions.map((extension) => ({ ...extension, url: `${base}${extension.path}` })),
  };
}
