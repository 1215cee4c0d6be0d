import { join } from 'node:path'
import { ConfigError, type Signer } from '@kvartal/protocol'
import { IotaConfigError, LocalLedger, iotaSettlement, localSettlement, type Settlement } from '@kvartal/settlement'
import type { Journal } from '@kvartal/node'
import type { NodeConfig } from './node-config.ts'

/** A notional starting balance on a node's own local ledger, so that it can pay (local only, not money). */
export const LOCAL_NOTIONAL_BALANCE = 1_000 * 1_000_000_000

/** The Settlement adapter a node config asks for, bound to the node's key. */
export async function settlementFor(c: NodeConfig, signer: Signer, journal: Journal, seed: Uint8Array): Promise<Settlement> {
  if (c.settlement.adapter === 'iota') {
    try {
      return iotaSettlement({
        network: c.settlement.iota.network,
        seed,
        gasBudget: c.settlement.iota.gasBudget,
        notarizationPackageId: c.settlement.iota.notarizationPackageId,
        store: journal.store('iota')
      })
    } catch (err) {
      if (err instanceof IotaConfigError)
        throw new ConfigError(`settlement.iota.${(err as IotaConfigError & { field?: string }).field ?? 'network'}`, err.message)
      throw err
    }
  }
  const ledger = await LocalLedger.open(join(c.dataDir, 'ledger'))
  const s = localSettlement(ledger, signer)
  if ((await ledger.balance(s.address)) === 0) await ledger.mint(s.address, LOCAL_NOTIONAL_BALANCE)
  return {
    ...s,
    close: async () => {
      await ledger.close()
    }
  }
}
