// Light and dark themes: the stored choice if any, else the system's `prefers-color-scheme`.
export type Theme = 'light' | 'dark';

export const THEME_KEY = 'flowc.dashboard.theme';

export interface ThemeEnv {
  readonly storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  readonly prefersDark: boolean;
}

/** The stored theme, or null when the user has not chosen one. */
export function storedTheme(env: ThemeEnv): Theme | null {
  try {
    const value = env.storage?.getItem(THEME_KEY) ?? null;
    return value === 'light' || value === 'dark' ? value : null;
  } catch {
    return null;
  }
}

export function initialTheme(env: ThemeEnv): Theme {
  return storedTheme(env) ?? (env.prefersDark ? 'dark' : 'light');
}

/** Remembers an explicit choice (until then the theme follows the system). */
export function storeTheme(env: ThemeEnv, theme: Theme): void {
  try {
    env.storage?.setItem(THEME_KEY, theme);
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
}
