// The light or dark theme, applied before the settings arrive from the last one used.
const THEME_STORAGE = 'aw-dashboard-theme';

/** Switches the page to a theme ("light" or "dark") and remembers it for the next load. */
export function applyTheme(theme) {
  const value = theme === 'dark' ? 'dark' : 'light';
  document.documentElement.dataset.theme = value;
  localStorage.setItem(THEME_STORAGE, value);
}

applyTheme(localStorage.getItem(THEME_STORAGE));
