/**
 * Runs `work` and, while it runs, prints `message(elapsed seconds)` every `intervalSeconds` (none for 0): for a step
 * whose tool prints nothing until it ends, such as uv building an sdist, whose backend's output it shows only on
 * failure. The lines stop the moment the work settles, whether it succeeded or failed.
 */
export async function withHeartbeat<T>(work: () => Promise<T>, intervalSeconds: number, message: (elapsedSeconds: number) => string): Promise<T> {
  if (intervalSeconds <= 0) return work();
  const started = Date.now();
  const timer = setInterval(() => console.log(message(Math.round((Date.now() - started) / 1000))), intervalSeconds * 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
