import { join } from 'node:path'
import { LocalLedger, localSettlement } from '@kvartal/settlement'
import type { Timetable } from '@kvartal/mobility'
import type { KvartalNodeOptions, ProviderService } from '@kvartal/node'
import { startDistrict, type TestDistrict } from './nodes.ts'

export interface TcpRole {
  /** net energy position per slot (Wh; positive sells) */
  position: (slot: number) => number
  /** a mobility provider, or a traveller */
  mobility: ProviderService | 'traveller'
}

export interface TcpDistrict extends TestDistrict {
  ledger: LocalLedger
}

/**
 * Real nodes on TCP over 127.0.0.1 (noise, yamux, the edge's connection limits: `loopback` off), level
 * journals, one simulated clock, each trading energy and with a mobility role, all settling on one
 * shared local ledger (funded with 100 IOTA each); every node dials every earlier one.
 */
export async function startTcpDistrict(
  roles: TcpRole[],
  opts: { timetable: Timetable; extra?: Partial<KvartalNodeOptions> }
): Promise<TcpDistrict> {
  let ledger: LocalLedger | undefined
  let opening: Promise<LocalLedger> | undefined
  let ledgerDir = ''
  const d = await startDistrict(
    roles.map(r => ({ buyLimit: 900_000_000, sellLimit: 300_000_000, position: r.position })),
    {
      extra: i => ({
        transport: 'tcp',
        listen: ['/ip4/127.0.0.1/tcp/0'],
        bootstrap: [],
        mobility: {
          timetable: opts.timetable,
          ...(roles[i].mobility !== 'traveller' ? { provider: roles[i].mobility as ProviderService } : {})
        },
        settlement: {
          periodSlots: 4,
          create: async signer => {
            opening ??= LocalLedger.open(ledgerDir)
            ledger = await opening
            return localSettlement(ledger, signer)
          }
        },
        ...opts.extra
      }),
      beforeStart: dir => {
        ledgerDir = join(dir, 'ledger')
      }
    }
  )
  try {
    for (let i = 1; i < d.nodes.length; i++) {
      for (let j = 0; j < i; j++) await d.nodes[i].host.dial(d.nodes[j].host.getMultiaddrs(), { signal: AbortSignal.timeout(10_000) })
    }
    for (const n of d.nodes) await ledger!.mint(n.identity.iotaAddress, 100_000_000_000)
  } catch (err) {
    await d.close()
    throw err
  }
  const close = d.close
  return {
    ...d,
    ledger: ledger!,
    async close() {
      await Promise.all(d.nodes.map(async n => await n.stop()))
      await ledger?.close()
      await close()
    }
  }
}
