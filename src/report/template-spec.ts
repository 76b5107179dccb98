// The shipped report template precompiled by Handlebars at build time (scripts/bundle.mjs replaces this
// module in dist/ with the spec of templates/report.md.hbs and its sha256): a run then skips parsing and
// compiling the template. Used only when the template read at run time has that very sha256; any other
// template (a user's, an edited one) is compiled as before. In the sources it is absent.
export const PRECOMPILED: { sha256: string; spec: unknown } | null = null;
