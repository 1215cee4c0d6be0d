import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { BadChecksumError, crc16x25, hanFrame, hanList, hanSample, HdlcFramer, hdlcInformation } from '../src/index.ts'

// Norwegian HAN: HDLC frames (HCS and FCS checked) carrying DLMS data-notifications, on frames the
// meters sent (fixtures/han/SOURCES.md).

const hex = async (name: string): Promise<Uint8Array> =>
  new Uint8Array(Buffer.from((await readFile(new URL(`./fixtures/han/${name}`, import.meta.url), 'utf8')).replace(/\s+/g, ''), 'hex'))

describe('HAN (DLMS/COSEM in HDLC)', () => {
  it("reads a Kaifa list 1: power by position, the meter's Norwegian local time (summer)", async () => {
    const l = hanFrame(await hex('kaifa-ma304h3e-list1.hex'))
    expect(l.time).toBe(Date.parse('2017-09-12T21:18:42Z'))
    expect([...l.values]).toEqual([['1-0:1.7.0.255', 1320]])
    expect(hanSample(l)).toBeUndefined() // power is no reading
  })

  it('reads an Aidon list 1: OBIS, value and scaler-unit', async () => {
    const l = hanFrame(await hex('aidon-list1.hex'))
    expect(l.time).toBeUndefined()
    expect([...l.values]).toEqual([['1-0:1.7.0.255', 4019]])
  })

  it('reads a Kamstrup three-phase list 1: OBIS-value pairs, identity and type, winter time', async () => {
    const l = hanFrame(await hex('kamstrup-3phase-list1.hex'))
    expect(l.time).toBe(Date.parse('2022-01-24T17:58:50Z'))
    expect(l.values.get('1-1:0.0.5.255')).toBe('5706567326590407')
    expect(l.values.get('1-1:96.1.1.255')).toBe('6841138BN245101090')
    expect(l.values.get('1-1:1.7.0.255')).toBe(826)
    expect(l.values.get('1-1:72.7.0.255')).toBe(236)
  })

  it("turns a Kaifa list 3 into a sample: cumulative registers in Wh, the meter id, the meter's clock", async () => {
    const s = hanSample(hanList(await hex('kaifa-ma304h3e-list3.llc.hex')))
    expect(s).toEqual({ meterId: 'han:6970631401753985', at: Date.parse('2017-09-24T08:00:10Z'), importWh: 403_233, exportWh: 0 })
  })

  it('refuses a frame with a damaged byte (FCS) or a damaged header (HCS), and frames a stream', async () => {
    const good = await hex('kamstrup-3phase-list1.hex')
    const body = Uint8Array.from(good)
    body[100] ^= 0x01
    expect(() => hdlcInformation(body)).toThrow(BadChecksumError)
    // a header whose HCS is wrong under a frame whose FCS was made to fit: the HCS alone refuses it
    const header = Uint8Array.from(good)
    header[7] ^= 0x01
    const fcs = crc16x25(header, 1, header.length - 3)
    header[header.length - 3] = fcs & 0xff
    header[header.length - 2] = fcs >> 8
    expect(() => hdlcInformation(header)).toThrow(/HCS/)
    const kaifa = await hex('kaifa-ma304h3e-list1.hex')
    const aidon = await hex('aidon-list1.hex')
    const f = new HdlcFramer()
    const stream = Buffer.concat([Buffer.from([0x12, 0x7e]), kaifa, aidon, good])
    const frames: Uint8Array[] = []
    for (let i = 0; i < stream.length; i += 5) frames.push(...f.push(stream.subarray(i, i + 5)))
    expect(frames.map(x => Buffer.from(x).toString('hex'))).toEqual([kaifa, aidon, good].map(x => Buffer.from(x).toString('hex')))
  })
})
