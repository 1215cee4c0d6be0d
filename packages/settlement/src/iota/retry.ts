import { TransientLedgerError } from '../port.ts'
import { isTransient, messageOf } from './errors.ts'

export interface CallPolicy {
  readonly attempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  /** deadline of one try */
  readonly requestTimeoutMs: number
}

/** One try of a ledger call took longer than its deadline. Transient. */
export class CallTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${ms} ms`)
    this.name = 'CallTimeoutError'
  }
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted()
  if (ms <= 0) return
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(t)
      reject(signal!.reason)
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Races `p` against a deadline and the caller's signal. The SDK's fetch takes no signal, so an abandoned
 * request still runs to its end in the background; only our wait for it stops.
 */
export async function bounded<T>(p: Promise<T>, what: string, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  // an abandoned request may fail later: not unhandled, even when the caller had already given up
  p.catch(() => {})
  signal?.throwIfAborted()
  let timer: ReturnType<typeof setTimeout> | undefined
  let onAbort: (() => void) | undefined
  try {
    return await Promise.race([
      p,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new CallTimeoutError(what, timeoutMs)), timeoutMs)
        if (signal != null) {
          onAbort = () => reject(signal.reason)
          signal.addEventListener('abort', onAbort, { once: true })
        }
      })
    ])
  } finally {
    clearTimeout(timer)
    if (onAbort != null) signal?.removeEventListener('abort', onAbort)
  }
}

/** Exponential back-off with "equal jitter": half the delay fixed, half random, capped. */
export function backoffDelay(
  attempt: number,
  policy: Pick<CallPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random
): number {
  const d = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt)
  return Math.round(d / 2 + (random() * d) / 2)
}

/**
 * Calls `fn` until it succeeds, a permanent error comes (thrown as is), the caller aborts (its reason is
 * thrown), or the tries run out (a TransientLedgerError naming the call and the last failure).
 */
export async function withRetry<T>(
  what: string,
  fn: () => Promise<T>,
  policy: CallPolicy,
  signal?: AbortSignal,
  onRetry?: (attempt: number, error: unknown) => void
): Promise<T> {
  let last: unknown
  for (let attempt = 0; attempt < policy.attempts; attempt++) {
    signal?.throwIfAborted()
    try {
      return await bounded(fn(), what, policy.requestTimeoutMs, signal)
    } catch (e) {
      if (signal?.aborted === true) throw signal.reason
      if (!isTransient(e)) throw e
      last = e
      onRetry?.(attempt, e)
      if (attempt + 1 < policy.attempts) await sleep(backoffDelay(attempt, policy), signal)
    }
  }
  throw new TransientLedgerError(
    `${what} failed ${policy.attempts} time(s), last: ${messageOf(last)}; the ledger may be unreachable or busy, call again later`,
    { cause: last }
  )
}
