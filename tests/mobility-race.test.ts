import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Journal, PACKAGES, PROVIDER_LEGS, type PackageRecord, type ProviderLegRecord } from '@kvartal/node'
import { FakeIotaRpc, ledgerTransactions } from '@kvartal/settlement/testing'
import { runCli, runKvartal, runKvartalCrashing, writeNodeConfig, type NodeProcess } from './helpers/processes.ts'
import { askNode, eventually, writeGtfsLine, type GtfsLine } from './helpers/gtfs-line.ts'

/**
 * Two travellers race for the last seat of a bus trip, among real `kvartal node` processes on
 * 127.0.0.1: a transit operator selling one seat per trip and two travellers, each planning its journey
 * with `kvartal journey plan` and booking the planned journey with `kvartal journey book` at the same
 * moment. The travellers run under the crash-test entry point (`tests/helpers/kvartal-crash.ts`) with
 * KVARTAL_CRASH_AT=traveller-released,traveller-confirmed: the one that loses the seat dies by SIGKILL
 * right after it journals its release, the winner right after it journals its confirmation; both
 * restart from their data directories. All settle through the `iota` adapter
 * against FakeIotaRpc, a TEST DOUBLE of an IOTA full node, so all see one ledger. Afterwards, from the
 * journals and the ledger alone: the seat sold once, to the traveller that paid, once; the loser paid
 * nothing and holds nothing. Then, in the same district, the winner cancels while the operator dies
 * right after journaling the cancellation (before refunding) and the winner right after journaling its
 * own: after restarts, the refund is paid once and the seat is free.
 */
const agencyId = 'kvartal-bus'
let dir: string
let rpc: FakeIotaRpc
let line: GtfsLine
const procs: NodeProcess[] = []
const iota = (rpcUrl: string): Record<string, unknown> => ({ adapter: 'iota', iota: { network: rpcUrl } })
const names = ['alice', 'bob']
/** shared by the two steps of one district */
const district = {
  operatorConfig: '',
  travellerConfigs: [] as string[],
  addresses: [] as string[],
  operatorAddress: '',
  winner: -1,
  pkg: ''
}

async function freePort(): Promise<number> {
  return await new Promise(resolve => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-race-'))
  rpc = await FakeIotaRpc.start()
  line = await writeGtfsLine(join(dir, 'gtfs'), {
    now: Date.now(),
    agencyId,
    center: { lat: 63.43, lon: 10.39 },
    stops: 4,
    spacingM: 450,
    firstInS: 240,
    headwayS: 600,
    trips: 6,
    hopS: 90
  })
})

afterAll(async () => {
  await Promise.all(procs.map(async p => await p.stop()))
  await rpc?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('the last seat among real kvartal node processes', () => {
  it('two travellers book the same planned journey at once: one gets the seat and ' +
    'pays once, the other paid nothing; both killed at their last write survive it', { timeout: 120_000 }, async () => {
    const gtfs = join(dir, 'gtfs')
    const operatorConfig = await writeNodeConfig({
      dir,
      name: 'operator',
      position: [0],
      settlement: iota(rpc.url),
      mobility: {
        timetable: { gtfs },
        provider: {
          kind: 'transit',
          agencyId,
          mode: 'BUS',
          seatsPerTrip: 1,
          co2GPerKm: 60,
          cancellation: { freeUntilS: 60, feeNanos: 50_000_000 }
        },
        offerEveryMs: 6_000
      }
    })
    // a fixed port, so that the operator restarts where the travellers look for it
    await writeFile(
      operatorConfig,
      (await readFile(operatorConfig, 'utf8')).replace('/ip4/127.0.0.1/tcp/0', `/ip4/127.0.0.1/tcp/${await freePort()}`)
    )
    const operator = runKvartal(['node', '--config', operatorConfig])
    procs.push(operator)
    const op = await operator.waitFor(l => l.event === 'listening')
    rpc.fund(op.iotaAddress, 10_000_000_000n)
    const configs: string[] = []
    const travellers: NodeProcess[] = []
    const addresses: string[] = []
    for (const name of names) {
      const config = await writeNodeConfig({
        dir,
        name,
        position: [0],
        bootstrap: [op.addrs[0]],
        settlement: iota(rpc.url),
        mobility: { timetable: { gtfs } }
      })
      configs.push(config)
      // the loser dies right after journaling its release, the winner right after journaling its confirmation
      const t = runKvartalCrashing('traveller-released,traveller-confirmed', ['node', '--config', config])
      procs.push(t)
      travellers.push(t)
      const l = await t.waitFor(x => x.event === 'listening')
      addresses.push(l.iotaAddress)
      rpc.fund(l.iotaAddress, 10_000_000_000n)
    }
    for (const name of names) {
      await eventually(
        async () => {
          const s = await askNode(join(dir, name), '/status')
          return s.mobility.services >= 1 ? s : undefined
        },
        `${name} hears the operator's service offer`,
        30_000
      )
    }
    // both plan the same journey, stop S0 to stop S3 on the next trip, and book what they planned, at once
    const where = [
      '--from',
      `${line.stops[0].lat},${line.stops[0].lon}`,
      '--to',
      `${line.stops[3].lat},${line.stops[3].lon}`,
      '--modes',
      'BUS',
      '--max-walk',
      '0',
      '--depart',
      '+1',
      '--json'
    ]
    const plans = await Promise.all(
      names.map(async name => {
        const r = await runCli(['journey', 'plan', '-d', join(dir, name), ...where])
        expect(r.code, r.stderr).toBe(0)
        return JSON.parse(r.stdout)
      })
    )
    const trips = plans.map(p => p.journeys[0].legs.find((l: any) => l.mode === 'BUS').tripId)
    expect(trips[0]).toBe(trips[1])
    const booked = await Promise.all(
      names.map(async (name, i) => await runCli(['journey', 'book', '-d', join(dir, name), '--plan', plans[i].plan, '--pick', 'fastest']))
    )
    // both died by SIGKILL before answering: the winner after journaling CONFIRMED, the loser after journaling its release
    for (const t of travellers) expect((await t.exited).signal, booked.map(b => b.stdout + b.stderr).join('\n')).toBe('SIGKILL')
    const statuses = await Promise.all(
      names.map(async n => {
        const j = await Journal.open(join(dir, n))
        try {
          return (await j.records<PackageRecord>(PACKAGES)).map(([, r]) => r.status)
        } finally {
          await j.close()
        }
      })
    )
    const winners = statuses.flatMap((st, i) => (st.includes('CONFIRMED') ? [i] : []))
    expect(winners, JSON.stringify(statuses)).toHaveLength(1)
    const w = winners[0]
    const l = 1 - w
    // both restart from their data directories: the winner stays confirmed, the loser released
    const again = names.map((_, i) => {
      const p = runKvartal(['node', '--config', configs[i]])
      procs.push(p)
      return p
    })
    for (const p of again) await p.waitFor(x => x.event === 'listening')
    const listed = await Promise.all(names.map(async n => await runCli(['journey', 'list', '-d', join(dir, n)])))
    expect(listed[w].stdout).toMatch(/CONFIRMED/)
    expect(listed[l].stdout).not.toMatch(/CONFIRMED/)
    for (const p of again) await p.stop()
    await operator.stop()

    // from the journals and the ledger alone
    const o = await Journal.open(join(dir, 'operator'))
    const js = await Promise.all(names.map(async n => await Journal.open(join(dir, n))))
    try {
      const legs = (await o.records<ProviderLegRecord>(PROVIDER_LEGS)).map(([, r]) => r)
      const confirmed = legs.filter(x => x.status === 'CONFIRMED')
      expect(confirmed, 'the seat sold once').toHaveLength(1)
      expect(
        legs.filter(x => x.status === 'PENDING'),
        'no hold left'
      ).toEqual([])
      const pkgs = await Promise.all(js.map(async j => (await j.records<PackageRecord>(PACKAGES)).map(([, r]) => r)))
      expect(pkgs[w].map(p => p.status)).toEqual(['CONFIRMED'])
      expect(pkgs[l].map(p => p.status)).toEqual(['RELEASED'])
      const payments = ledgerTransactions(rpc.executions).payments.filter(p => p.transfers.length > 0)
      expect(payments.map(p => [p.sender, p.transfers])).toEqual([[addresses[w], [{ to: op.iotaAddress, amount: line.fare }]]])
      expect(confirmed[0].paymentDigest).toBe(pkgs[w][0].paymentDigest)
      expect(payments[0].digest).toBe(pkgs[w][0].paymentDigest)
      Object.assign(district, {
        operatorConfig,
        travellerConfigs: configs,
        addresses,
        operatorAddress: op.iotaAddress,
        winner: w,
        pkg: (await js[w].records<PackageRecord>(PACKAGES))[0][0]
      })
    } finally {
      await o.close()
      for (const j of js) await j.close()
    }
  })

  it('the winner cancels; the operator dies after journaling the cancellation, the ' +
    'winner after journaling its own: after restarts the winner finishes it by itself, one refund, the seat free', {
    timeout: 120_000
  }, async () => {
    expect(district.winner, 'the race above ran').toBeGreaterThanOrEqual(0)
    const w = district.winner
    const winnerDir = join(dir, names[w])
    const doomedOperator = runKvartalCrashing('provider-cancel', ['node', '--config', district.operatorConfig])
    procs.push(doomedOperator)
    await doomedOperator.waitFor(l => l.event === 'listening')
    const doomedTraveller = runKvartalCrashing('traveller-cancelled', ['node', '--config', district.travellerConfigs[w]])
    procs.push(doomedTraveller)
    await doomedTraveller.waitFor(l => l.event === 'listening')
    await eventually(
      async () => {
        const s = await askNode(winnerDir, '/status')
        return s.mobility.services >= 1 ? s : undefined
      },
      'the winner hears the operator again',
      30_000
    )
    const first = await runCli(['journey', 'cancel', district.pkg, '-d', winnerDir])
    // the operator died after journaling CANCELLING, before refunding; the traveller, its leg unanswered, after journaling its own record
    expect((await doomedOperator.exited).signal, first.stdout + first.stderr).toBe('SIGKILL')
    expect((await doomedTraveller.exited).signal, first.stdout + first.stderr).toBe('SIGKILL')
    expect(
      ledgerTransactions(rpc.executions).payments.filter(p => p.sender === district.operatorAddress && p.transfers.length > 0)
    ).toEqual([])

    // the operator's restart finishes what it journaled: the refund (idempotent by key), then CANCELLED
    const operator = runKvartal(['node', '--config', district.operatorConfig])
    procs.push(operator)
    await operator.waitFor(l => l.event === 'leg-cancelled' && l.correlation === district.pkg, 30_000)
    const traveller = runKvartal(['node', '--config', district.travellerConfigs[w]])
    procs.push(traveller)
    await traveller.waitFor(l => l.event === 'listening')
    await eventually(
      async () => {
        const s = await askNode(winnerDir, '/status')
        return s.mobility.services >= 1 ? s : undefined
      },
      'the restarted winner hears the operator',
      30_000
    )
    // its record says `cancelling` (the leg had no answer): the restarted winner asks again by itself, at its ticks,
    // and the operator answers the repeat with the leg's state; nobody has to cancel twice
    await eventually(
      async () => {
        const p = (await askNode(winnerDir, '/packages')) as { packages: Array<{ package: string; status: string }> }
        return p.packages.find(x => x.package === district.pkg && x.status === 'CANCELLED')
      },
      "the winner's package CANCELLED",
      30_000
    )
    const again = await runCli(['journey', 'cancel', district.pkg, '-d', winnerDir])
    expect(again.code, again.stdout).not.toBe(0)
    expect(again.stderr).toMatch(/is CANCELLED: only a CONFIRMED package can be cancelled/)
    await traveller.stop()
    await operator.stop()

    const o = await Journal.open(join(dir, 'operator'))
    const t = await Journal.open(winnerDir)
    try {
      const legs = (await o.records<ProviderLegRecord>(PROVIDER_LEGS)).map(([, r]) => r)
      const cancelled = legs.filter(x => x.status === 'CANCELLED')
      expect(cancelled).toHaveLength(1)
      expect(
        legs.filter(x => x.status === 'CONFIRMED' || x.status === 'CANCELLING' || x.status === 'PENDING'),
        'the seat is free'
      ).toEqual([])
      const refunds = ledgerTransactions(rpc.executions).payments.filter(
        p => p.sender === district.operatorAddress && p.transfers.length > 0
      )
      expect(
        refunds.map(p => p.transfers),
        'one refund, the whole fare'
      ).toEqual([[{ to: district.addresses[w], amount: line.fare }]])
      expect(cancelled[0].refundDigest).toBe(refunds[0].digest)
      const pkg = await t.getRecord<PackageRecord>(PACKAGES, district.pkg)
      expect(pkg?.status).toBe('CANCELLED')
      expect(pkg?.legs.map(l => [l.status, l.refund, l.refundDigest])).toEqual([['CANCELLED', line.fare, refunds[0].digest]])
    } finally {
      await o.close()
      await t.close()
    }
  })
})
