import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadManifest, renderManifest, validateManifest, type AppManifest } from '../../manifest/manifest.ts';

const manifestDir = path.resolve('manifest');

function validManifest(): AppManifest {
  return structuredClone(loadManifest(manifestDir));
}

function withExtension(extension: Partial<AppManifest['extensions'][number]>): AppManifest {
  const manifest = validManifest();
  manifest.extensions.push({
    id: 'extra',
    type: 'custom_modal',
    name: 'Extra',
    description: '',
    locations: [],
    path: '/extensions/panels/extra/',
    ...extension,
  });
  return manifest;
}

describe('manifest/app.json', () => {
  it('is valid', () => {
    const manifest = loadManifest(manifestDir);
    expect(validateManifest(manifest)).toEqual([]);
    expect(manifest.oauth.scopes).toContain('base');
  });

  it('declares only extensions that exist as Vite entries', () => {
    for (const extension of loadManifest(manifestDir).extensions) {
      const match = /^\/extensions\/panels\/([a-z0-9-]+)\/$/.exec(extension.path);
      expect(match).not.toBeNull();
      expect(existsSync(path.resolve('extensions/panels', match?.[1] ?? '', 'index.html'))).toBe(true);
    }
  });

  it('has a settings page and a panel in the deal and person sidebars', () => {
    const { extensions } = loadManifest(manifestDir);
    expect(extensions.filter((extension) => extension.type === 'custom_ui_settings')).toHaveLength(1);
    const panels = extensions.filter((extension) => extension.type === 'custom_panel');
    expect(panels.flatMap((panel) => panel.locations).sort()).toEqual(['deal_details', 'person_details']);
  });

  it('renders absolute URLs for a deployment', () => {
    const rendered = renderManifest(loadManifest(manifestDir), 'https://parley.example.com/');
    expect(rendered.callbackUrl).toBe('https://parley.example.com/oauth/callback');
    expect(rendered.installationUrl).toBe('https://parley.example.com/oauth/install');
    expect(
      rendered.extensions.every((extension) => extension.url.startsWith('https://parley.example.com/extensions/')),
    ).toBe(true);
  });
});

describe('validateManifest rejects', () => {
  const cases: [string, () => AppManifest, string][] = [
    ['a missing name', () => ({ ...validManifest(), name: '' }), 'name is required and at most 30 characters'],
    ['a long name', () => ({ ...validManifest(), name: 'x'.repeat(31) }), 'name is required and at most 30 characters'],
    [
      'a long description',
      () => ({ ...validManifest(), description: 'x'.repeat(151) }),
      'description is required and at most 150 characters',
    ],
    [
      'a callback that is not a path',
      () => {
        const manifest = validManifest();
        manifest.oauth.callbackPath = 'https://elsewhere/callback';
        return manifest;
      },
      'oauth.callbackPath must be a path starting with /',
    ],
    [
      'an installation URL that is not a path',
      () => {
        const manifest = validManifest();
        manifest.oauth.installationPath = 'install';
        return manifest;
      },
      'oauth.installationPath must be a path starting with /',
    ],
    [
      'scopes without base',
      () => {
        const manifest = validManifest();
        manifest.oauth.scopes = manifest.oauth.scopes.filter((scope) => scope !== 'base');
        return manifest;
      },
      'oauth.scopes must include base',
    ],
    [
      'an unknown scope',
      () => {
        const manifest = validManifest();
        manifest.oauth.scopes.push('deals:write');
        return manifest;
      },
      'unknown scope "deals:write"',
    ],
    ['a bad extension id', () => withExtension({ id: 'Bad_Id' }), 'id must be lower-case letters, digits and dashes'],
    ['a duplicate extension id', () => withExtension({ id: 'chat-panel' }), 'duplicate id'],
    ['an unknown extension type', () => withExtension({ type: 'json_panel' as never }), 'unknown type "json_panel"'],
    ['an extension without a name', () => withExtension({ name: '' }), 'name is required and at most 30 characters'],
    [
      'a long extension description',
      () => withExtension({ description: 'x'.repeat(151) }),
      'description is at most 150 characters',
    ],
    ['an extension path that is not a path', () => withExtension({ path: 'extra/' }), 'path must start with /'],
    [
      'an unknown panel location',
      () => withExtension({ type: 'custom_panel', locations: ['lead_details' as never] }),
      'unknown location "lead_details"',
    ],
    [
      'two panels of the app in one sidebar',
      () => withExtension({ type: 'custom_panel', locations: ['deal_details'] }),
      'only one panel per app may sit in deal_details',
    ],
    [
      'a panel without a location',
      () => withExtension({ type: 'custom_panel' }),
      'a panel needs at least one location',
    ],
    [
      'a location on something other than a panel',
      () => withExtension({ type: 'custom_modal', locations: ['organization_details'] }),
      'only panels have locations',
    ],
    [
      'a floating window without a valid size',
      () => {
        const manifest = validManifest();
        const inbox = manifest.extensions.find((extension) => extension.type === 'custom_floating_window');
        if (inbox === undefined) throw new Error('manifest/app.json has no floating window');
        inbox.size = { width: 900, height: 300 };
        return manifest;
      },
      'a floating window is 200–800 px wide and 70–700 px high',
    ],
    [
      'two floating windows',
      // manifest/app.json already declares the inbox.
      () => withExtension({ id: 'two', type: 'custom_floating_window', size: { width: 300, height: 300 } }),
      'an app has at most one floating window',
    ],
    ['two settings pages', () => withExtension({ type: 'custom_ui_settings' }), 'an app has at most one settings page'],
  ];

  it.each(cases)('%s', (_name, build, problem) => {
    expect(validateManifest(build())).toEqual([expect.stringContaining(problem)]);
  });

  it('loadManifest refuses an invalid file, listing every problem', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-manifest-'));
    writeFileSync(path.join(dir, 'app.json'), JSON.stringify({ ...validManifest(), name: '', description: '' }));
    expect(() => loadManifest(dir)).toThrow(/name is required[\s\S]*description is required/);
  });
});
