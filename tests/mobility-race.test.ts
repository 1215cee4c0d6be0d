import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Journal, PACKAGES, PROVIDER_LEGS, type PackageRecord, type ProviderLegRecord } from '@kvartal/node'
import { cancellationFee } from '@kvartal/mobility'
import { decodeLegTerms, fromHex } from '@kvartal/protocol'
import { FakeIotaRpc, ledgerTransactions } from '@kvartal/settlement/testing'
import { runCli, runKvartal, runKvartalCrashing, writeNodeConfig, type NodeProcess } from './helpers/processes.ts'
import { askNode, eventually, writeGtfsLine, type GtfsLine } from './helpers/gtfs-line.ts'
import { until } from './helpers/wait.ts'
import { fixedPort } from './helpers/fixed-port.ts'

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
 * own: after restarts, the refund is paid once and the seat is free. Last, the loser books a later trip and
 * dies right after journaling its cancellation (traveller-cancelling), before sending it: its restart sends
 * it by itself; one refund, the whole fare (free under the leg's terms), the package CANCELLED, the seat sold again.
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

/** `kvartal journey plan` flags: stop S0 to stop S3 by bus, no walking, departing `depart` (+minutes) */
const journey = (depart: string): string[] => [
  ...['--from', `${line.stops[0].lat},${line.stops[0].lon}`, '--to', `${line.stops[3].lat},${line.stops[3].lon}`],
  ...['--modes', 'BUS', '--max-walk', '0', '--depart', depart, '--json']
]

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
      (await readFile(operatorConfig, 'utf8')).replace('/ip4/127.0.0.1/tcp/0', `/ip4/127.0.0.1/tcp/${await fixedPort()}`)
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
    const where = journey('+1')
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

  it('the loser books a later trip and dies right after journaling its cancellation, before sending it: its ' +
    "restart sends it by itself, one refund under the leg's terms, the package CANCELLED, the seat sold again", {
    timeout: 120_000
  }, async () => {
    expect(district.winner, 'the race above ran').toBeGreaterThanOrEqual(0)
    const w = district.winner
    const l = 1 - w
    const loserDir = join(dir, names[l])
    const operator = runKvartal(['node', '--config', district.operatorConfig])
    procs.push(operator)
    await operator.waitFor(x => x.event === 'listening')
    const doomed = runKvartalCrashing('traveller-cancelling', ['node', '--config', district.travellerConfigs[l]])
    const winner = runKvartal(['node', '--config', district.travellerConfigs[w]])
    procs.push(doomed, winner)
    const hears = async (n: string): Promise<unknown> =>
      await eventually(
        async () => ((await askNode(join(dir, n), '/status')).mobility.services >= 1 ? true : undefined),
        `${n} hears the operator`,
        30_000
      )
    await Promise.all([doomed.waitFor(x => x.event === 'listening'), winner.waitFor(x => x.event === 'listening')])
    await Promise.all(names.map(hears))
    // a trip leaving at least 5 minutes from now: cancelling it below is free under its terms (until 60 s before)
    const plan = async (n: string): Promise<{ plan: string; tripId: string }> => {
      const r = await runCli(['journey', 'plan', '-d', join(dir, n), ...journey('+5')])
      expect(r.code, r.stderr).toBe(0)
      const p = JSON.parse(r.stdout)
      return { plan: p.plan, tripId: p.journeys[0].legs.find((x: any) => x.mode === 'BUS').tripId }
    }
    const book = async (n: string, p: string): Promise<Record<string, any>> => {
      const r = await runCli(['journey', 'book', '-d', join(dir, n), '--plan', p, '--pick', 'fastest', '--json'])
      expect(r.code, r.stdout + r.stderr).toBe(0)
      return JSON.parse(r.stdout)
    }
    const first = await plan(names[l])
    const booked = await book(names[l], first.plan)
    expect(booked.status).toBe('CONFIRMED')
    const pkg = booked.package as string
    const cancel = await runCli(['journey', 'cancel', pkg, '-d', loserDir])
    const said = cancel.stdout + cancel.stderr
    await until(() => doomed.proc.exitCode != null || doomed.proc.signalCode != null, `the traveller's death; cancel: ${said}`, 10_000)
    expect((await doomed.exited).signal, said).toBe('SIGKILL')
    // it journaled the cancellation and died before sending it: the operator heard nothing, refunded nothing
    const j = await Journal.open(loserDir)
    const journaled = await j.getRecord<PackageRecord>(PACKAGES, pkg)
    await j.close()
    expect([journaled?.status, journaled?.phase, journaled?.legs.map(x => x.status)]).toEqual(['CONFIRMED', 'cancelling', ['CONFIRMED']])
    expect(operator.lines.filter(x => x.event === 'leg-cancelled' && x.correlation === pkg)).toEqual([])
    const refundsTo = (to: string): Array<{ digest: string; amount: number }> =>
      ledgerTransactions(rpc.executions).payments.flatMap(p =>
        p.sender === district.operatorAddress
          ? p.transfers.filter(t => t.to === to).map(t => ({ digest: p.digest, amount: Number(t.amount) }))
          : []
      )
    expect(refundsTo(district.addresses[l])).toEqual([])

    // restarted, it finishes the cancellation by itself (resume at its ticks): nobody cancels again
    const traveller = runKvartal(['node', '--config', district.travellerConfigs[l]])
    procs.push(traveller)
    await eventually(
      async () => ((await askNode(loserDir, '/packages')).packages as any[]).find(x => x.package === pkg && x.status === 'CANCELLED'),
      "the loser's package CANCELLED",
      30_000
    )
    await operator.waitFor(x => x.event === 'leg-cancelled' && x.correlation === pkg, 5_000)
    // the seat is free again at the running operator: the winner buys it
    const second = await plan(names[w])
    expect(second.tripId, 'the same trip').toBe(first.tripId)
    expect((await book(names[w], second.plan)).status).toBe('CONFIRMED')
    await Promise.all([traveller.stop(), winner.stop(), operator.stop()])

    const o = await Journal.open(join(dir, 'operator'))
    const t = await Journal.open(loserDir)
    try {
      const legs = (await o.records<ProviderLegRecord>(PROVIDER_LEGS)).map(([, r]) => r).filter(x => x.resource === first.tripId)
      const cancelled = legs.find(x => x.package === pkg)!
      const terms = decodeLegTerms(fromHex(cancelled.terms))
      expect(terms.cancellation).toEqual({ freeUntilS: 60, feeNanos: 50_000_000 })
      const refunds = refundsTo(district.addresses[l])
      expect(
        refunds.map(r => r.amount),
        'one refund, the whole fare: cancelled inside the free window'
      ).toEqual([line.fare])
      expect([cancelled.status, cancelled.fee, cancelled.refund, cancelled.refundDigest]).toEqual([
        'CANCELLED',
        0,
        line.fare,
        refunds[0].digest
      ])
      expect({ fee: cancelled.fee, refund: cancelled.refund }).toEqual(
        cancellationFee(
          { ...terms.cancellation!, refundAfterStart: false },
          cancelled.price,
          'CONFIRMED',
          terms.departureTime,
          cancelled.at
        )
      )
      expect(legs.map(x => [x.package === pkg ? 'loser' : 'winner', x.status]).sort(), 'the seat sold once more, nothing held').toEqual([
        ['loser', 'CANCELLED'],
        ['winner', 'CONFIRMED']
      ])
      const paid = ledgerTransactions(rpc.executions).payments.filter(p => p.sender === district.addresses[l] && p.transfers.length > 0)
      expect(
        paid.map(p => p.transfers),
        'the loser paid once'
      ).toEqual([[{ to: district.operatorAddress, amount: line.fare }]])
      const rec = await t.getRecord<PackageRecord>(PACKAGES, pkg)
      expect([rec?.status, rec?.phase, rec?.paymentDigest]).toEqual(['CANCELLED', 'done', paid[0].digest])
      expect(rec?.legs.map(x => [x.status, x.fee, x.refund, x.refundDigest])).toEqual([['CANCELLED', 0, line.fare, refunds[0].digest]])
      const log: Array<Record<string, unknown>> = []
      for await (const e of t.log()) if (e.id === pkg) log.push(e)
      expect(log.filter(e => e.type === 'traveller-cancelling')).toHaveLength(1)
    } finally {
      await o.close()
      await t.close()
    }
  })
})
