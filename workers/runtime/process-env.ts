/**
 * The environment a worker process starts with: the caller's, plus MALLOC_ARENA_MAX=2 unless the
 * caller set it. glibc gives threads that allocate their own malloc arena (up to 8 per core), and
 * memory freed there mostly stays in the process; the copy path's socket buffers are allocated and
 * freed by the hundred thousand, so the worker's RSS crept up load after load: three many-table loads
 * in a row peaked at 297, 297 and 304 MB, and at 241, 240 and 238 MB with two arenas (same machine,
 * same run shape). glibc reads it only at process start, so every launcher of a worker passes this.
 */
export function workerProcessEnv<Env extends Record<string, string | undefined>>(base: Env): Env {
  return { MALLOC_ARENA_MAX: "2", ...base };
}
