// Built by test/e2e/virtual-rows.spec.ts with vite: VirtualRows alone in a page.
import { mount } from 'svelte';
import Harness from './Harness.svelte';

mount(Harness, { target: document.getElementById('app')! });
