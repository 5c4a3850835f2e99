/** Entry point: renders the console into `#app`. */
import { render } from 'preact';
import { App } from './app.js';
import { html } from './html.js';

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} />`, root);
  // For bench/console-paint.ts: when the app's first view is in the DOM.
  performance.mark('gatehouse-console-rendered');
}
