/** htm bound to preact's `h`: tagged-template views with no JSX build step. */
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
