// window.__gallery: a read-mostly view of the running gallery for the browser tests and the bench
// (web/e2e/gallery.test.mjs, web/bench/gallery-bench.mjs), so they check what the scene holds and
// where it lands on screen instead of guessing from pixels alone. Documented in web/README.md.
export type GalleryHook = Record<string, (...args: never[]) => unknown>;

declare global {
  interface Window {
    __gallery?: GalleryHook;
  }
}

export function installTestHook(hook: GalleryHook): () => void {
  window.__gallery = hook;
  return () => {
    if (window.__gallery === hook) delete window.__gallery;
  };
}
