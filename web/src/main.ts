import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { startRouter } from './lib/router.svelte';
import { loadSession } from './lib/session.svelte';

startRouter();
loadSession();
mount(App, { target: document.getElementById('app')! });
