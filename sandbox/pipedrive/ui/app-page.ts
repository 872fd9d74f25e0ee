import { renderDock } from './extension-views.ts';
import type { SafeHtml } from '../../../server/html.ts';
import { renderPage, type Section } from './layout.ts';
import type { UiContext, Viewer } from './session.ts';

/** A signed-in page: the top bar with the apps dock, whose floating windows load on every page. */
export async function renderAppPage(
  ctx: UiContext,
  viewer: Viewer,
  options: { title: string; body: SafeHtml; section?: Section },
): Promise<string> {
  const dock = await renderDock(ctx, viewer);
  return renderPage(ctx, { ...options, viewer, dock });
}
