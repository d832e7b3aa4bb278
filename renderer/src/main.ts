// The page's first script, kept small: it asks for the first view's data, then loads the
// app (renderer/src/app.ts, fetched and compiled meanwhile: index.html preloads it), so the
// host's answer travels while the app's script is evaluated.
import { startEarlyConnection } from './lib/api/early-connection.js';
import { applyTheme, storedTheme } from './lib/theme/theme-choice.js';
import './app.css';

// The remembered theme before anything is drawn: the page never flashes the other one.
applyTheme(storedTheme());

startEarlyConnection()
  .then(() => import('./app.js'))
  .catch((error: unknown) => {
    const target = document.getElementById('app');
    if (target) target.textContent = `bpfscope: the dashboard's script did not load (${String(error)}). Reload the page.`;
  });
