import { setFlagsFromString } from "node:v8";

/**
 * How far V8 lets the worker's heap grow past what its last full collection kept, in percent.
 * Default: 30.
 *
 * Why: V8 sizes the next collection's limit from the live heap times a factor of up to 4 on a
 * machine with plenty of memory. CDC makes much short-lived garbage that outlives a young-generation
 * collection (decoded messages waiting in the stream queue, statements on the wire), so after a
 * large transaction the heap grew to 4x its live size (~300 MB of mostly garbage, live 35-80 MB)
 * and stayed there, even while the mirror was paused — the worker allocates too little then for
 * V8 to collect. 30 % keeps the heap near its live size for a few more full collections.
 */
export const HEAP_GROWING_PERCENT = 30;

/**
 * Sets the growth factor for the whole process. Call first thing: it is read at every full
 * collection, so it works after start (unlike --max-old-space-size, which needs every launcher of
 * the worker to pass it), and it is no hard limit — a heap that must grow still can.
 */
export function boundHeapGrowth(percent = HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
