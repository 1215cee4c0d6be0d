/**
 * How FakeIotaRpc (fake-iota-rpc.ts) answers in JSON-RPC: its errors, and a stored response cut down to the
 * response options a request asks for (`showEffects`, …), refusing the options it does not implement.
 */

export class RpcError extends Error {
  readonly code: number
  constructor(code: number, message: string) {
    super(message)
    this.code = code
  }
}

const SHOWN: Record<string, string> = {
  showEffects: 'effects',
  showObjectChanges: 'objectChanges',
  showBalanceChanges: 'balanceChanges',
  showRawInput: 'rawTransaction'
}
const NOT_IMPLEMENTED = ['showInput', 'showEvents', 'showRawEffects']

export function responseOptions(raw: unknown): Record<string, boolean> {
  const options = (raw ?? {}) as Record<string, boolean>
  const missing = NOT_IMPLEMENTED.filter(k => options[k] === true)
  if (missing.length > 0) throw new RpcError(-32602, `FakeIotaRpc does not implement the response option(s) ${missing.join(', ')}`)
  return options
}

/** A stored response cut down to what `options` ask for, as a full node answers. */
export function shape(full: Record<string, unknown>, options: Record<string, boolean>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(full)) {
    const option = Object.keys(SHOWN).find(o => SHOWN[o] === k)
    if (option == null || options[option] === true) out[k] = v
  }
  return out
}
