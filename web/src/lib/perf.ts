// Performance marks read by bench/web-bench.mjs.

let firstPhotoMarked = false;

/** Marks the moment the first photo is decoded and on screen; later calls do nothing. */
export function markFirstPhoto(img: HTMLImageElement) {
  if (firstPhotoMarked) return;
  img.decode().then(
    () => {
      if (firstPhotoMarked) return;
      firstPhotoMarked = true;
      performance.mark('hatongsu:first-photo');
    },
    () => {}, // not decodable, so not on screen: the next photo to load will mark instead
  );
}
