/**
 * The iota adapter's own surface at its edges: its name and network label for each way it is pointed at a
 * node, balance() (address checks, the largest safe balance and the first beyond), and requestFaucet()
 * (no faucet, a faucet that refuses, one that accepts but pays nothing). Against FakeIotaRpc, a TEST DOUBLE
 * of an IOTA full node, and a stub faucet on 127.0.0.1 that answers as told; nothing reaches the network.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { IotaClient } from '@iota/iota-sdk/client'
import { SettlementError, TransientLedgerError } from '../src/port.ts'
import { IotaErrorCode, iotaSettlement, type IotaSettlementOptions, type SettlementStore } from '../src/iota/index.ts'
import { FakeIotaRpc } from '../testing/fake-iota-rpc.ts'
import { party, rejected } from './helpers/parties.ts'

class MapStore implements SettlementStore {
  readonly map = new Map<string, string>()
  async get(key: string): Promise<string | undefined> {
    return this.map.get(key)
  }
  async put(key: string, value: string): Promise<void> {
    this.map.set(key, value)
  }
}

/** A stub faucet on 127.0.0.1 (`port`, or any free one): answers every POST with `status` and `body`, and counts the requests. */
async function stubFaucet(status: number, body: unknown, port = 0): Promise<{ url: string; requests: number; close: () => Promise<void> }> {
  const stub = { url: '', requests: 0, close: async () => {} }
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      stub.requests++
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    })
  })
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  stub.close = async () => {
    server.closeAllConnections()
    await new Promise<void>(resolve => server.close(() => resolve()))
  }
  return stub
}

let fake: FakeIotaRpc
beforeEach(async () => {
  fake = await FakeIotaRpc.start()
})
afterEach(async () => {
  await fake.close()
})

const me = party(111)
function adapter(extra: Partial<IotaSettlementOptions> = {}) {
  return iotaSettlement({
    network: 'testnet',
    seed: me.seed,
    store: new MapStore(),
    client: new IotaClient({ url: fake.url }),
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    pollIntervalMs: 5,
    ...extra
  })
}

describe('name and network', () => {
  it('say where the adapter settles and from which address', () => {
    expect(adapter().name).toBe(`iota: IOTA Rebased testnet (through an injected client), settling from ${me.address}`)
    expect(adapter().network).toBe('testnet')
    const byUrl = adapter({ network: fake.url, client: undefined })
    expect(byUrl.name).toBe(`iota: IOTA Rebased the full node at ${fake.url}, settling from ${me.address}`)
    expect(byUrl.network).toBe(fake.url)
    expect(byUrl.address).toBe(me.address)
    const injected = adapter({ network: 'http://127.0.0.1:1' })
    expect(injected.name).toBe(`iota: IOTA Rebased the full node at http://127.0.0.1:1, settling from ${me.address}`)
    const named = adapter({ network: 'devnet', client: undefined })
    expect(named.name).toBe(`iota: IOTA Rebased devnet, settling from ${me.address}`)
    expect(named.network).toBe('devnet')
  })

  it('a custom URL is the node it talks to', async () => {
    fake.fund(me.address, 12)
    expect(await adapter({ network: fake.url, client: undefined }).balance(me.address)).toBe(12)
  })
})

describe('balance', () => {
  it('refuses what is not an IOTA address, asking the node nothing', async () => {
    const a = adapter()
    for (const address of ['0x' + 'g'.repeat(64), '0x' + '1'.repeat(65), 'not an address', 42]) {
      const err = await rejected(a.balance(address as string))
      expect(err).toBeInstanceOf(SettlementError)
      expect(err).toMatchObject({
        code: IotaErrorCode.invalidRequest,
        message: `'${String(address)}' is not an IOTA address (0x + 64 hex)`
      })
    }
    expect(fake.calls).toEqual([])
  })

  it('reads a short or upper-case address as its full form', async () => {
    fake.fund(me.address, 5)
    const a = adapter()
    expect(await a.balance(me.address.toUpperCase().replace('0X', '0x'))).toBe(5)
    expect(await a.balance('0x2')).toBe(0)
  })

  it('the largest safe integer of nanos is a balance; one more is a RangeError', async () => {
    const a = adapter()
    const other = party(112).address
    fake.fund(me.address, BigInt(Number.MAX_SAFE_INTEGER))
    expect(await a.balance(me.address)).toBe(Number.MAX_SAFE_INTEGER)
    fake.fund(other, 2n ** 53n)
    const err = await rejected(a.balance(other))
    expect(err).toBeInstanceOf(RangeError)
    expect((err as Error).message).toBe(`the balance of ${other} (9007199254740992 nanos) is beyond a safe integer`)
  })
})

describe('requestFaucet', () => {
  it('mainnet and a node by URL have no faucet unless one is given', async () => {
    expect(await rejected(adapter({ network: 'mainnet' }).requestFaucet())).toMatchObject({
      name: 'SettlementError',
      code: 'no-faucet',
      message: `mainnet (through an injected client) has no faucet: send IOTA to ${me.address}, or pass the faucetUrl option`
    })
    expect(await rejected(adapter({ network: fake.url, client: undefined }).requestFaucet())).toMatchObject({
      code: 'no-faucet',
      message: `the full node at ${fake.url} has no faucet: send IOTA to ${me.address}, or pass the faucetUrl option`
    })
    expect(fake.calls).toEqual([])
  })

  it('a faucet that refuses (rate limit, or an error) is a TransientLedgerError that says so, asked once', async () => {
    for (const [status, body] of [
      [429, {}],
      [200, { error: 'nope' }]
    ] as const) {
      const faucet = await stubFaucet(status, body)
      try {
        const err = await rejected(adapter({ faucetUrl: faucet.url }).requestFaucet())
        expect(err).toBeInstanceOf(TransientLedgerError)
        expect((err as Error).message).toMatch(
          new RegExp(
            `^the faucet at ${faucet.url} refused ${me.address}: .+; faucets are rate limited, try again later or fund the address by hand$`
          )
        )
        expect((err as Error).cause).toBeInstanceOf(Error)
        expect(faucet.requests).toBe(1)
      } finally {
        await faucet.close()
      }
    }
  })

  it('a test network without a faucetUrl asks its own faucet (localnet: localhost:9123, a stub here)', async () => {
    const faucet = await stubFaucet(429, {}, 9123)
    try {
      const err = await rejected(adapter({ network: 'localnet' }).requestFaucet())
      expect(err).toBeInstanceOf(TransientLedgerError)
      expect((err as Error).message).toMatch(new RegExp(`^the faucet at http://localhost:9123 refused ${me.address}: `))
      expect(faucet.requests).toBe(1)
    } finally {
      await faucet.close()
    }
  })

  it('a faucet that cannot be reached: the TransientLedgerError of the tries, as it is', async () => {
    const err = await rejected(adapter({ faucetUrl: 'http://127.0.0.1:1' }).requestFaucet())
    expect(err).toBeInstanceOf(TransientLedgerError)
    expect((err as Error).message).toMatch(/^ask the faucet at http:\/\/127\.0\.0\.1:1 failed 2 time\(s\), last: /)
  })

  it('a faucet that accepts but pays nothing: a TransientLedgerError once the deadline has passed', async () => {
    const faucet = await stubFaucet(200, { transferredGasObjects: [], error: null })
    try {
      const err = await rejected(adapter({ faucetUrl: faucet.url }).requestFaucet({ timeoutMs: 30 }))
      expect(err).toBeInstanceOf(TransientLedgerError)
      expect((err as Error).message).toBe(
        `the faucet at ${faucet.url} accepted the request, but the balance of ${me.address} did not grow within 30 ms`
      )
      expect(fake.calls.filter(m => m === 'iotax_getBalance').length).toBeGreaterThanOrEqual(2)
    } finally {
      await faucet.close()
    }
  })

  it('an aborted signal stops it with its reason', async () => {
    const ac = new AbortController()
    const reason = new Error('stop')
    ac.abort(reason)
    expect(await rejected(adapter({ faucetUrl: fake.url }).requestFaucet({ signal: ac.signal }))).toBe(reason)
    expect(fake.balanceOf(me.address)).toBe(0n)
  })

  it("with the network's own faucet (the fake's /gas), the balance grows before it returns", async () => {
    await adapter({ faucetUrl: fake.url }).requestFaucet({ timeoutMs: 5_000 })
    expect(fake.balanceOf(me.address)).toBe(10_000_000_000n)
  })
})
