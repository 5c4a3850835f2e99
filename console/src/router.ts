/** Hash routing (`#/applications/{id}`): works offline, from a static page, with back and forward. */
import { useEffect, useState } from 'preact/hooks';

export function currentRoute(): string[] {
  return location.hash.replace(/^#\/?/, '').split('/').filter((s) => s !== '').map(decodeURIComponent);
}

export function useRoute(): string[] {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function navigate(...segments: string[]): void {
  location.hash = `#/${segments.map(encodeURIComponent).join('/')}`;
}

export const href = (...segments: string[]): string => `#/${segments.map(encodeURIComponent).join('/')}`;
