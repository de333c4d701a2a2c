import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

/**
 * wasm threads need cross-origin isolation. Where the host sends no COOP/COEP headers, the service
 * worker public/coi-sw.js adds them; it is installed only when threads are asked for (?threads=N),
 * and the page reloads once so that the isolated version is the one that runs.
 */
async function isolateIfAsked(): Promise<boolean> {
  const wants = Number(new URLSearchParams(location.search).get('threads')) > 1;
  if (!wants || crossOriginIsolated || !('serviceWorker' in navigator) || !window.isSecureContext) return false;
  const reg = await navigator.serviceWorker.register(new URL(`${import.meta.env.BASE_URL}coi-sw.js`, location.href));
  if (navigator.serviceWorker.controller) return false; // controlled, yet not isolated: the host blocks it; carry on
  await new Promise<void>((r) =>
    reg.active ? r() : navigator.serviceWorker.addEventListener('controllerchange', () => r(), { once: true }),
  );
  location.reload();
  return true;
}

void isolateIfAsked().then((reloading) => {
  if (!reloading) mount(App, { target: document.getElementById('app')! });
});
