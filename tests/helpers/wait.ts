/**
 * Resolves once `cond` holds; throws naming `what` (default: the condition's source) if it does not within `timeoutMs`. Every wait in a
 * test has a deadline, so a broken feature fails with a message instead of hanging until the runner's
 * own timeout (or forever, in a hook).
 */
export async function until(cond: () => boolean, what: string = cond.toString(), timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}
