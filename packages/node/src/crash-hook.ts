import type { Settlement } from '@kvartal/settlement'

/**
 * The crash-test harness's hook: called with a named point (a journal write such as `seller-hold`, or
 * `after-payment` when the ledger took a period's payment) so that a test can kill the process exactly
 * there. Nothing in a node sets it: only a test entry point does, through `@kvartal/node/testing`
 * (`installCrashAt`), so no environment or configuration can make a production node kill itself.
 */
export type CrashHook = (point: string) => void

let installed: CrashHook | undefined

/** The hook a test entry point installed, if any. */
export function crashHook(): CrashHook | undefined {
  return installed
}

/** Installs the hook for every node this process starts from now on. Test entry points only. */
export function setCrashHook(hook: CrashHook | undefined): void {
  installed = hook
}

/**
 * The settlement port with the `after-payment` point: called when a period's payment (one that carries
 * its root) is on the ledger, before the node journals the period.
 */
export function withPaymentPoint(settlement: Settlement, hook: CrashHook): Settlement {
  return new Proxy(settlement, {
    get(target, key) {
      if (key === 'pay') {
        return async (...args: Parameters<Settlement['pay']>) => {
          const receipt = await target.pay(...args)
          if (args[0].attest != null) hook('after-payment')
          return receipt
        }
      }
      const v = Reflect.get(target, key, target) as unknown
      return typeof v === 'function' ? v.bind(target) : v
    }
  })
}
