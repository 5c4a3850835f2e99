/** Paging controls for a search: "Previous" / "Next" and where the page is in the total. */
import { html } from '../html.js';

export function Pager({ startRow, pageSize, total, onPage }: { startRow: number; pageSize: number; total: number; onPage: (startRow: number) => void }) {
  const last = Math.min(startRow + pageSize, total);
  return html`<nav class="pager" aria-label="Pages">
    <button type="button" disabled=${startRow === 0} onClick=${() => onPage(Math.max(0, startRow - pageSize))}>Previous page</button>
    <span role="status">${total === 0 ? 'No results' : `${startRow + 1}–${last} of ${total}`}</span>
    <button type="button" disabled=${last >= total} onClick=${() => onPage(startRow + pageSize)}>Next page</button>
  </nav>`;
}
