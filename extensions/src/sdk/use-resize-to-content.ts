import type { RefObject } from 'preact';
import { useCallback, useEffect } from 'preact/hooks';
import type { AppExtensionsSDK } from './app-extensions-sdk.ts';
import { RESIZE_LIMITS, resizeToContent, type ResizeLimits } from './use-pipedrive-sdk.ts';

/**
 * Keeps the iframe as tall as its content (Pipedrive's 100–750 px for panels, unbounded for the
 * app-settings page): on every change of the element's size, and whenever the returned function is called.
 */
export function useResizeToContent(
  sdk: AppExtensionsSDK | undefined,
  root: RefObject<HTMLElement>,
  limits: ResizeLimits = RESIZE_LIMITS.panel,
): () => void {
  const resize = useCallback(() => {
    if (sdk !== undefined && root.current !== null)
      void resizeToContent(sdk, root.current, limits).catch(() => undefined);
  }, [sdk, root, limits]);
  useEffect(() => {
    resize();
    if (root.current === null || typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(resize);
    observer.observe(root.current);
    return () => observer.disconnect();
  }, [resize]);
  return resize;
}
