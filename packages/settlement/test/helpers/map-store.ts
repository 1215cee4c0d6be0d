import type { SettlementStore } from '../../src/iota/config.ts'
import type { TxRecord } from '../../src/iota/journal.ts'

/** The iota adapter's store in memory; `record` reads back the transaction it journaled on testnet under a key. */
export class MapStore implements SettlementStore {
  readonly map = new Map<string, string>()
  async get(key: string): Promise<string | undefined> {
    return this.map.get(key)
  }
  async put(key: string, value: string): Promise<void> {
    this.map.set(key, value)
  }
  record(kind: 'pay' | 'attest', key: string): TxRecord | undefined {
    const raw = this.map.get(`iota/testnet/${kind}/${key}`)
    return raw == null ? undefined : (JSON.parse(raw) as TxRecord)
  }
}
