// The page's first script, kept small: it asks for the first view's data, then loads the
// app (renderer/src/app.ts), so the host's answer travels while the app's script loads.
import { startEarlyConnection } from './lib/api/early-connection.js';
import './app.css';

startEarlyConnection();
import('./app.js').catch((error: unknown) => {
  const target = document.getElementById('app');
  if (target) target.textContent = `bpfscope: the dashboard's script did not load (${String(error)}). Reload the page.`;
});
