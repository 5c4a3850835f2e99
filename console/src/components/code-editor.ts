/** A code field: a plain textarea with a line-number gutter that scrolls with it. */
import { useRef } from 'preact/hooks';
import { html } from '../html.js';

interface Props {
  id: string;
  value: string;
  onInput: (value: string) => void;
  describedBy?: string;
  invalid?: boolean;
  rows?: number;
}

export function CodeEditor({ id, value, onInput, describedBy, invalid, rows = 18 }: Props) {
  const gutter = useRef<HTMLPreElement>(null);
  const lines = Math.max(1, value.split('\n').length);
  const numbers = Array.from({ length: lines }, (_, i) => i + 1).join('\n');
  return html`<div class="code-editor">
    <pre class="gutter" aria-hidden="true" ref=${gutter}>${numbers}</pre>
    <textarea
      id=${id}
      class="code"
      rows=${rows}
      wrap="off"
      spellcheck=${false}
      autocapitalize="off"
      value=${value}
      aria-describedby=${describedBy}
      aria-invalid=${invalid ? 'true' : undefined}
      onInput=${(e: Event) => onInput((e.target as HTMLTextAreaElement).value)}
      onScroll=${(e: Event) => {
        if (gutter.current) gutter.current.scrollTop = (e.target as HTMLTextAreaElement).scrollTop;
      }}
    ></textarea>
  </div>`;
}
