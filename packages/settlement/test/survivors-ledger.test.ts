/**
 * Behaviours of the iota adapter the mutation run of 2026-12-06 found unchecked (reports/mutation/summary.md),
 * against FakeIotaRpc, a TEST DOUBLE of an IOTA full node: gas coins an earlier attempt must spend counted
 * once, coins of equal balance taken in the node's order, a coin listing that stops where the node gives no
 * cursor, an attestation whose stored transaction can no longer run (the same unknown outcome as a
 * payment's), and requestFaucet under a signal and at its deadline.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Ed25519Keypair } from '@iota/iota-sdk/keypairs/ed25519'
import { TransientLedgerError } from '../src/port.ts'
import { resolveIotaSettlementOptions, type IotaSettlementOptions } from '../src/iota/config.ts'
import { IotaErrorCode } from '../src/iota/errors.ts'
import { TxJournal } from '../src/iota/journal.ts'
import { IotaLedger } from '../src/iota/ledger.ts'
import { iotaSettlement } from '../src/iota/iota-settlement.ts'
import { FakeIotaRpc } from '../testing/fake-iota-rpc.ts'
import { HookedClient } from './helpers/hooked-client.ts'
import { MapStore } from './helpers/map-store.ts'
import { party, rejected } from './helpers/parties.ts'

const me = party(141)
const IOTA = 1_000_000_000
const ROOT = 'ab'.repeat(32)

let fake: FakeIotaRpc
let store: MapStore
let client: HookedClient
beforeEach(async () => {
  fake = await FakeIotaRpc.start()
  store = new MapStore()
  client = new HookedClient({ url: fake.url })
})
afterEach(async () => {
  vi.restoreAllMocks()
  await fake.close()
})

const options = (extra: Partial<IotaSettlementOptions> = {}): IotaSettlementOptions => ({
  network: 'testnet',
  seed: me.seed,
  store,
  client,
  retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
  pollIntervalMs: 5,
  confirmTimeoutMs: 300,
  ...extra
})
const ledgerOf = (): IotaLedger =>
  new IotaLedger(resolveIotaSettlementOptions(options()), Ed25519Keypair.fromSecretKey(me.seed), new TxJournal(store, 'iota/testnet'))
const adapter = (extra: Partial<IotaSettlementOptions> = {}) => iotaSettlement(options(extra))
const ids = (p: Array<{ objectId: string }>): string[] => p.map(x => x.objectId)
const count = (method: string): number => fake.calls.filter(m => m === method).length

describe('gas coins', () => {
  it('a coin an earlier attempt must spend that is also the largest is taken once and counted once', async () => {
    const big = fake.fund(me.address, 100)
    const nine = fake.fund(me.address, 9)
    fake.fund(me.address, 2)
    const ledger = ledgerOf()
    const ref = (await ledger.selectGas(1n, [])).payment.find(p => p.objectId === big)!
    const { payment, spent } = await ledger.selectGas(104n, [ref])
    expect(ids(payment)).toEqual([big, nine])
    expect(spent).toEqual([])
    // 100 + 9 + 2 is all there is: 111 more would need the big coin twice
    expect(await rejected(ledger.selectGas(112n, [ref]))).toMatchObject({
      code: IotaErrorCode.insufficientFunds,
      message: expect.stringMatching(new RegExp(`^${me.address} holds 111 nanos in 3 coin\\(s\\); this transaction needs 112 `))
    })
  })

  it('coins of equal balance are taken in the order the node lists them', async () => {
    for (let i = 0; i < 5; i++) fake.fund(me.address, 10)
    const listed = fake.coinsOf(me.address) // the fake lists by id
    const ledger = ledgerOf()
    expect(ids((await ledger.selectGas(10n, [])).payment)).toEqual(listed.slice(0, 1))
    expect(ids((await ledger.selectGas(25n, [])).payment)).toEqual(listed.slice(0, 3))
    const big = fake.fund(me.address, 50)
    expect(ids((await ledger.selectGas(65n, [])).payment)).toEqual([
      big,
      ...fake
        .coinsOf(me.address)
        .filter(c => c !== big)
        .slice(0, 2)
    ])
  })

  it('a page that says more follow but names no cursor ends the listing (asked again it would start over)', async () => {
    fake.fund(me.address, 30)
    fake.fund(me.address, 30)
    const [first] = fake.coinsOf(me.address)
    let pages = 0
    client.onCoins = async real => {
      pages++
      const page = await real()
      return { ...page, data: page.data.slice(0, 1), hasNextPage: true, nextCursor: null }
    }
    const ledger = ledgerOf()
    const err = await rejected(ledger.selectGas(40n, []))
    expect(err).toMatchObject({
      code: IotaErrorCode.insufficientFunds,
      message: expect.stringMatching(new RegExp(`^${me.address} holds 30 nanos in 1 coin\\(s\\); `))
    })
    expect(pages).toBe(1)
    expect(ids((await ledger.selectGas(30n, [])).payment)).toEqual([first])
    expect(pages).toBe(2)
  })
})

describe('an attestation stored but never heard of, whose gas coin was spent elsewhere meanwhile', () => {
  it("is an unknown outcome, as a payment's is: nothing new is signed until an operator says what happened", async () => {
    const coin = fake.fund(me.address, 5 * IOTA)
    fake.dropNextExecute('before')
    await expect(adapter({ retry: { attempts: 1, baseDelayMs: 1 } }).attest('a/1', ROOT, 2)).rejects.toBeInstanceOf(TransientLedgerError)
    const dead = store.record('attest', 'a/1')!
    expect(dead.status).toBe('submitted')
    fake.spend(coin) // another wallet with the same key spent the coin
    const a = adapter()
    const err = await rejected(a.attest('a/1', ROOT, 2))
    expect(err).toMatchObject({ name: 'SettlementError', code: IotaErrorCode.outcomeUnknown })
    expect((err as Error).message).toContain(dead.digest)
    expect((err as Error).message).toContain(`settleByHand('attest', 'a/1', '${dead.digest}', executed)`)
    expect(store.record('attest', 'a/1')).toMatchObject({
      status: 'failed',
      uncertain: true,
      digest: dead.digest,
      error: { code: IotaErrorCode.outcomeUnknown }
    })
    expect(fake.executions).toHaveLength(0)
    // said by hand not to have executed: the next call builds a second attempt and it lands
    await a.settleByHand('attest', 'a/1', dead.digest, false)
    const att = await a.attest('a/1', ROOT, 2)
    expect(store.record('attest', 'a/1')).toMatchObject({ status: 'confirmed', attempt: 2, previous: [dead.digest], digest: att.digest })
    expect(fake.executions.map(e => e.digest)).toEqual([att.digest])
  })
})

/** A stub faucet on 127.0.0.1: `onRequest` runs when a request has arrived, then it answers `status` with `body`. */
async function stubFaucet(
  status: number,
  body: unknown,
  onRequest: () => void = () => {}
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      onRequest()
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

describe('requestFaucet', () => {
  it("a refusal under a signal that has not fired is the faucet's refusal", async () => {
    const faucet = await stubFaucet(429, {})
    try {
      const err = await rejected(adapter({ faucetUrl: faucet.url }).requestFaucet({ signal: new AbortController().signal }))
      expect(err).toBeInstanceOf(TransientLedgerError)
      expect((err as Error).message).toMatch(new RegExp(`^the faucet at ${faucet.url} refused ${me.address}: `))
    } finally {
      await faucet.close()
    }
  })

  it("a signal that fires while the faucet is asked stops it with the signal's reason, not as a refusal", async () => {
    const ac = new AbortController()
    const reason = new Error('stop')
    const faucet = await stubFaucet(429, {}, () => {
      ac.abort(reason)
    })
    try {
      expect(await rejected(adapter({ faucetUrl: faucet.url }).requestFaucet({ signal: ac.signal }))).toBe(reason)
    } finally {
      await faucet.close()
    }
  })

  it('reads no balance once the deadline is reached: with a clock that stands still, a timeout of 0 gives up at once', async () => {
    const a = adapter({ faucetUrl: fake.url })
    vi.spyOn(Date, 'now').mockReturnValue(1_750_000_000_000)
    const err = await rejected(a.requestFaucet({ timeoutMs: 0 }))
    expect(err).toBeInstanceOf(TransientLedgerError)
    expect((err as Error).message).toBe(
      `the faucet at ${fake.url} accepted the request, but the balance of ${me.address} did not grow within 0 ms`
    )
    // the balance before the request, and none after: the faucet did pay
    expect(count('iotax_getBalance')).toBe(1)
    expect(fake.balanceOf(me.address)).toBe(10_000_000_000n)
  })
})
