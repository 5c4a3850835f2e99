import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorPage } from '../../../src/http/pages/error-page.js';
import { escapeHtml, html } from '../../../src/http/pages/html.js';
import { CATALOGUES, LOCALES, negotiateLocale } from '../../../src/http/pages/locale.js';
import { textColourOn } from '../../../src/http/pages/login-theme-css.js';
import { EN } from '../../../src/http/pages/messages-en.js';
import { onboardingPage } from '../../../src/http/pages/onboarding-page.js';
import { pageContext } from '../../../src/http/pages/page-layout.js';
import type { Tenant } from '../../../src/store/records.js';

const tenant = (loginTheme?: Tenant['loginTheme']): Tenant => ({
  id: '00000000-0000-4000-8000-000000000001',
  name: 'Praktijk "De Linde" <b>',
  slug: 'default',
  jwtConfiguration: { timeToLiveInSeconds: 3600, refreshTokenTimeToLiveInMinutes: 60, signingAlgorithm: 'ES256' },
  ...(loginTheme ? { loginTheme } : {}),
  data: {},
  insertInstant: 1,
  lastUpdateInstant: 2,
});

describe('hosted login page rendering', () => {
  it('escapes every interpolation, in text and in attributes; only its own fragments stay markup', () => {
    assert.equal(escapeHtml(`<a href="x" onclick='y'>&</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    const value = '"><script>alert(1)</script>';
    assert.equal(html`<input value="${value}">${html`<b>${value}</b>`}`.value, '<input value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"><b>&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</b>');
    assert.equal(html`${['<i>', html`<i>`]}${undefined}${null}${false}${0}`.value, '&lt;i&gt;<i>0');
  });

  it("shows a lambda's reject message, a lambda's field label and a tenant's text as text, never as markup", () => {
    const page = pageContext(tenant({ texts: { en: { 'error.title': '<script>tenant()</script>' } } }), undefined, 'en');
    const error = errorPage(page, { code: '<script>code()</script>', message: '<script>lambda()</script>', backUrl: 'https://app.example/cb?error=access_denied&x="<script>' });
    assert.doesNotMatch(error, /<script/);
    assert.match(error, /&lt;script&gt;lambda\(\)&lt;\/script&gt;/);
    assert.match(error, /&lt;script&gt;tenant\(\)&lt;\/script&gt;/);
    assert.match(error, /href="https:\/\/app\.example\/cb\?error=access_denied&amp;x=&quot;&lt;script&gt;"/);
    assert.match(error, /Praktijk &quot;De Linde&quot; &lt;b&gt;/);
    const form = onboardingPage(pageContext(tenant(), 'nl', undefined), {
      action: '/t/default/login/x/onboarding',
      csrfToken: 't',
      applicationName: '<script>app()</script>',
      fields: [{ name: 'consent', label: '<img src=x onerror=alert(1)>', type: 'checkbox', required: true }],
      values: new Map([['consent', 'on']]),
      problems: {},
    });
    assert.doesNotMatch(form, /<script|<img src=x/);
    assert.match(form, /&lt;img src=x onerror=alert\(1\)&gt;/);
  });

  it('has every message key in every locale, none empty, with the same placeholders', () => {
    const keys = Object.keys(EN).sort();
    for (const locale of LOCALES) {
      const catalogue = CATALOGUES[locale] as Record<string, string>;
      assert.deepEqual(Object.keys(catalogue).sort(), keys, locale);
      for (const key of keys) {
        assert.notEqual(catalogue[key].trim(), '', `${locale} ${key}`);
        const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
        assert.deepEqual(placeholders(catalogue[key]), placeholders((EN as Record<string, string>)[key]), `${locale} ${key}`);
      }
    }
  });

  it('chooses the locale from ui_locales first, then Accept-Language by q-value, else English', () => {
    assert.equal(negotiateLocale('fr-CA nl-BE de', 'de'), 'nl');
    assert.equal(negotiateLocale('fr', 'fr;q=1, de-AT;q=0.8, nl;q=0.9'), 'nl');
    assert.equal(negotiateLocale(undefined, 'de;q=0, nl;q=0.1'), 'nl');
    assert.equal(negotiateLocale(undefined, 'fr, *;q=0.5'), 'en');
    assert.equal(negotiateLocale(undefined, undefined), 'en');
    assert.equal(negotiateLocale('', 'DE-de'), 'de');
  });

  it("keeps a tenant's button text readable whatever its colour", () => {
    assert.equal(textColourOn('#1f5fa8'), '#ffffff');
    assert.equal(textColourOn('#ffe066'), '#000000');
  });
});
