// The few browser APIs three.js's GLTFExporter and GLTFLoader reach for that Node.js 20 lacks.
// Only what exporting and parsing a GLB without images needs; imported for its side effects.

if (typeof globalThis.FileReader === 'undefined') {
  // GLTFExporter (binary) reads its Blobs back with readAsArrayBuffer and waits for onloadend.
  globalThis.FileReader = class FileReader {
    result = null;
    error = null;
    onloadend = null;
    onload = null;
    onerror = null;

    readAsArrayBuffer(blob) {
      blob.arrayBuffer().then(
        (buffer) => {
          this.result = buffer;
          this.onload?.({ target: this });
          this.onloadend?.({ target: this });
        },
        (error) => {
          this.error = error;
          this.onerror?.({ target: this });
          this.onloadend?.({ target: this });
        },
      );
    }
  };
}

if (typeof globalThis.self === 'undefined') {
  // GLTFLoader names the global object `self` (as in browsers and workers).
  globalThis.self = globalThis;
}
