import { describe, expect, it } from 'vitest'
import { validateNodeConfig } from '../src/index.ts'

const base = { district: 'demo', dataDir: './data', position: [100] }

describe('node config validation', () => {
  it('fills defaults and resolves the data directory against the config file', () => {
    const c = validateNodeConfig(base, '/etc/kvartal')
    expect(c.dataDir).toBe('/etc/kvartal/data')
    expect(c.slots.seconds).toBe(900)
    expect(c.settlement).toMatchObject({ adapter: 'local', periodSlots: 96 })
  })
  it.each([
    [{ ...base, district: undefined }, 'district'],
    [{ ...base, dataDir: '' }, 'dataDir'],
    [{ ...base, position: undefined }, 'building'],
    [{ ...base, position: [1.5] }, 'position[0]'],
    [{ ...base, bootstrap: ['/ip4/127.0.0.1/tcp/4001/p2p/'] }, 'bootstrap[0]'],
    [{ ...base, bootstrap: ['/ip4/127.0.0.1/tcp/4001'] }, 'bootstrap[0]'],
    [{ ...base, slots: { seconds: 60, gateClosureSeconds: 60 } }, 'slots.gateClosureSeconds'],
    [{ ...base, limits: { buy: 5 } }, 'limits.buy'],
    [{ ...base, strategy: 'oracle' }, 'strategy'],
    [{ ...base, settlement: { adapter: 'bank' } }, 'settlement.adapter'],
    [{ ...base, settlement: { adapter: 'iota', iota: { network: 'moon' } } }, 'settlement.iota.network'],
    [{ ...base, mdns: 'yes' }, 'mdns'],
    [{ ...base, market: { catchUpEverySlots: -1 } }, 'market.catchUpEverySlots'],
    [{ ...base, market: { catchUpEverySlots: 0.5 } }, 'market.catchUpEverySlots'],
    [{ ...base, colour: 'blue' }, 'colour']
  ])('refuses %j naming %s', (doc, field) => {
    expect(() => validateNodeConfig(doc, '/tmp')).toThrow(expect.objectContaining({ name: 'ConfigError', field }))
  })
})

describe("a node config's grid section", () => {
  const base = { district: 'demo', dataDir: './data', position: [100] }
  it('names the feeder, the fees, the transformer share, relay duty and the grid operator', () => {
    const op = '0x' + 'AB'.repeat(32)
    const c = validateNodeConfig(
      {
        ...base,
        grid: { feeder: 'f07', fees: { local: 86_000_000, district: 144_000_000 }, crossFeederShareWh: 3_000, relay: true, operator: op }
      },
      '/tmp'
    )
    expect(c.grid).toEqual({
      feeder: 'f07',
      fees: { local: 86_000_000, district: 144_000_000 },
      crossFeederShareWh: 3_000,
      relay: true,
      operator: op.toLowerCase()
    })
    expect(validateNodeConfig(base, '/tmp').grid).toBeUndefined()
  })
  it.each([
    [{ fees: { local: 1 } }, 'grid.feeder'],
    [{ feeder: 'F 7' }, 'grid.feeder'],
    [{ feeder: 'f7', fees: { local: 200, district: 100 } }, 'grid.fees.district'],
    [{ feeder: 'f7', operator: '0x1234' }, 'grid.operator'],
    [{ feeder: 'f7', relay: 'yes' }, 'grid.relay'],
    [{ feeder: 'f7', shares: 3 }, 'grid.shares']
  ])('refuses %j naming %s', (grid, field) => {
    expect(() => validateNodeConfig({ ...base, grid }, '/tmp')).toThrow(expect.objectContaining({ name: 'ConfigError', field }))
  })
})
