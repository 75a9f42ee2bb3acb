// Entry point: styles, the app, the connection to the hub.
import 'layerchart/core.css';
import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { live } from './lib/live.svelte.ts';

const target = document.getElementById('app');
if (target === null) throw new Error('#app is missing from index.html');
if (new URL(location.href).searchParams.get('wall') === '1') document.documentElement.dataset.wall = '1';
mount(App, { target });
live.start(location.href);
