// The dashboard itself, loaded by main.ts once the first request is on its way.
import { mount } from 'svelte';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('bpfscope: #app element missing from index.html');
mount(App, { target });
// For profiles and `npm run bench`: when the app's script has run and the shell is built.
performance.mark('bpfscope:app-mounted');
