// The pthread worker of tfjs-backend-wasm's threaded build, as a file Node's worker_threads can start
// (scripts/train/wasm-threads.ts). The package ships it only as a string, for browsers' Blob URLs.
const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
// The string sits in a template literal, whose "\n" escapes became real newlines, some inside
// string literals; tfjs escapes them back the same way before making its Blob.
new Function('require', '__filename', wasmWorkerContents.replace(/\n/g, '\\n'))(require, __filename);
