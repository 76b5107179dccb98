// pdf-lib publishes a single-file ES module build beside its CommonJS entry; its types are the package's.
declare module 'pdf-lib/dist/pdf-lib.esm.min.js' {
  export * from 'pdf-lib';
}
