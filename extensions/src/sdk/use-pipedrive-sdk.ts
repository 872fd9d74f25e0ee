import { AppExtensionsSDK, Command, Event } from './app-extensions-sdk.ts';
import { useEffect, useState } from 'preact/hooks';

export type Theme = 'light' | 'dark';

export type SdkState =
  | { status: 'initializing'; theme: Theme }
  | { status: 'ready'; sdk: AppExtensionsSDK; theme: Theme }
  /** Opened outside Pipedrive (no `id` in the URL): render for development, without the SDK. */
  | { status: 'preview'; theme: Theme }
  | { status: 'failed'; theme: Theme; message: string };

/** The SDK's theme enum is not exported; anything but "dark" is light, as the SDK itself decides. */
function toTheme(value: unknown): Theme {
  return String(value) === 'dark' ? 'dark' : 'light';
}

function themeFromUrl(): Theme {
  return toTheme(new URLSearchParams(window.location.search).get('theme'));
}

/**
 * Initializes the Pipedrive App Extensions SDK once per iframe (Pipedrive hides an iframe that has
 * not initialized within 10 s), follows the user's theme, and removes its listeners on unmount.
 */
export function usePipedriveSdk(options: { height?: number } = {}): SdkState {
  const [state, setState] = useState<SdkState>(() => ({ status: 'initializing', theme: themeFromUrl() }));

  useEffect(() => {
    const identifier = new URLSearchParams(window.location.search).get('id');
    if (identifier === null) {
      setState({ status: 'preview', theme: themeFromUrl() });
      return undefined;
    }
    let cancelled = false;
    const unsubscribers: (() => void)[] = [];
    const sdk = new AppExtensionsSDK({ identifier });
    sdk
      .initialize(options.height === undefined ? {} : { size: { height: options.height } })
      .then(() => {
        if (cancelled) return;
        const theme = toTheme(sdk.userSettings.theme);
        setState({ status: 'ready', sdk, theme });
        unsubscribers.push(
          sdk.listen(Event.USER_SETTINGS_CHANGE, ({ data }) => {
            setState((current) => ({ ...current, theme: toTheme(data?.theme) }));
          }),
        );
      })
      .catch((error: unknown) => {
        if (!cancelled)
          setState({
            status: 'failed',
            theme: themeFromUrl(),
            message: error instanceof Error ? error.message : String(error),
          });
      });
    return () => {
      cancelled = true;
      for (const unsubscribe of unsubscribers) unsubscribe();
    };
  }, []);

  useEffect(() => {
    document.documentElement.dataset['theme'] = state.theme;
  }, [state.theme]);

  return state;
}

/** Heights Pipedrive accepts per surface: panels 100–750 px; the app-settings page has no upper bound. */
export const RESIZE_LIMITS = {
  panel: { min: 100, max: 750 },
  settings: { min: 100, max: Number.POSITIVE_INFINITY },
} as const;
export type ResizeLimits = (typeof RESIZE_LIMITS)[keyof typeof RESIZE_LIMITS];

/** Asks Pipedrive to fit the iframe to its content, within what the surface accepts. */
export async function resizeToContent(
  sdk: AppExtensionsSDK,
  element: HTMLElement,
  limits: ResizeLimits = RESIZE_LIMITS.panel,
): Promise<void> {
  const height = Math.min(limits.max, Math.max(limits.min, Math.ceil(element.getBoundingClientRect().height)));
  await sdk.execute(Command.RESIZE, { height });
}
