// The local cloud's template loader, pattern engine and Lambda build options: the catalog and the
// checker read templates, patterns and handlers exactly as a deploy does (intrinsics, Globals, SAM
// events; AWS's pattern semantics; `sam build`'s esbuild entry points).
export * from '@serverlesspresso/local/tooling';
