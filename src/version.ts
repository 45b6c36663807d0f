/** Package name and version, written into every episode's meta as `assay.sdk`. Kept equal to deno.json and package.json by a test. */
export const SDK_NAME = "@assay-it/sdk";
/** The package version. */
export const SDK_VERSION = "0.1.0";
/** The trace format version this SDK writes (`assay.trace_version`). */
export const TRACE_VERSION = 2;
