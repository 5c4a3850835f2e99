import type { Tenant } from '../../store/records.js';

/** The pages' colours when a tenant sets none (WCAG AA contrast with white text and on white). */
export const DEFAULT_THEME = Object.freeze({ primaryColor: '#1f5fa8', backgroundColor: '#f3f5f8' });

/** WCAG 2.1 relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const channel = (at: number) => {
    const c = parseInt(hex.slice(at, at + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** Black or white, whichever contrasts more with the colour: text on a tenant's button stays readable. */
export const textColourOn = (hex: string): string => ((luminance(hex) + 0.05) / 0.05 > 1.05 / (luminance(hex) + 0.05) ? '#000000' : '#ffffff');

const BASE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--gh-background);color:#1a1a1a}
main{max-width:28rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15)}
header{text-align:center;margin-bottom:1rem}
header img{max-height:64px;max-width:100%}
.tenant{font-weight:600;color:#4a4a4a}
h1{font-size:1.4rem;margin:0 0 1rem}
p{margin:0 0 1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
.field{margin-bottom:1rem}
.field input[type=text],.field input[type=email],.field input[type=date],.field input[type=tel]{width:100%;padding:.55rem;border:1px solid #6b6b6b;border-radius:4px;font:inherit}
.check{display:flex;gap:.5rem;align-items:flex-start}
.check label{font-weight:400}
.check input{margin-top:.35rem}
.optional{font-weight:400;color:#4a4a4a}
.problem{color:#a4000f;margin:.25rem 0 0}
.summary{border:2px solid #a4000f;padding:.75rem;border-radius:4px;color:#a4000f}
[aria-invalid=true]{border-color:#a4000f!important;border-width:2px!important}
.button{display:block;width:100%;padding:.7rem;margin:0 0 .75rem;border:0;border-radius:4px;background:var(--gh-primary);color:var(--gh-on-primary);font:inherit;font-weight:600;text-align:center;text-decoration:none;cursor:pointer}
.button.secondary{background:#fff;color:#1a1a1a;border:1px solid #6b6b6b}
.button:focus-visible,input:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}
.message{background:#f6f6f6;border-left:4px solid var(--gh-primary);padding:.75rem;white-space:pre-wrap;overflow-wrap:anywhere}
.code{font-family:ui-monospace,monospace;font-size:.9rem;color:#4a4a4a}
`;

/**
 * The stylesheet of a tenant's pages (served from `/t/{tenant}/login/theme.css`, so the pages need
 * no inline style under their CSP): the base rules and the tenant's colours as CSS custom
 * properties. The colours are strict `#rrggbb` (checked at `/api/tenant`), so nothing else can
 * reach the stylesheet.
 */
export function themeCss(tenant: Tenant): string {
  const primary = tenant.loginTheme?.primaryColor ?? DEFAULT_THEME.primaryColor;
  const background = tenant.loginTheme?.backgroundColor ?? DEFAULT_THEME.backgroundColor;
  return `:root{--gh-primary:${primary};--gh-on-primary:${textColourOn(primary)};--gh-background:${background}}${BASE}`;
}
